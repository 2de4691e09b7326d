import ArgumentParser
import DaemonHarness
import Foundation
import NIOCore
import NIOPosix

/// A fleet restarting at once, simulated on this machine: N ccgd processes (each with its own
/// state, runtime directory and socket) against one DC, all stopped and started again together.
/// Reports what the DC pays (CPU in all and per node, its peak share, fetches per second), how
/// long until every node serves and holds every account it needs, failures and retries, and the
/// latency of leases asked for during the storm. Nothing is asserted (docs/performance.md).
struct Fleet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Restart N ccgd processes together against the test domain and report the DC's load (scripts/fleet).")

    @Option(help: "The test domain's directory (scripts/testdomain; default $CCGD_TESTDOMAIN_DIR, else .testdomain).")
    var testdomain = TestDomainFile.directory(fallback: ".testdomain")

    @Option(help: "Simulated nodes: ccgd processes started together.")
    var nodes = 50

    @Option(help: "CredSpecs of the test domain's directory every node holds, comma-separated (default: all of its gMSAs).")
    var accounts: String?

    @Option(help: "CredSpecs in the fleet's CredSpec directory that no node uses, comma-separated (the cluster-wide directory's others).")
    var unused: String = ""

    @Option(help: "Leases each node holds when it is restarted (of the first ones of --accounts; default: one per account).")
    var leasesPerNode: Int?

    @Flag(help: "Every CredSpec of --accounts opted in to eager prefetch (`[credspec \"NAME\"] prefetch = yes`).")
    var eager = false

    @Option(
        parsing: .singleValue,
        help: """
            A ccgd to measure, as LABEL=PATH, optionally followed by ;KEY=VALUE lines for its [daemon] (repeat: each runs the same \
            restart in turn, in the order given). Default: this program's directory's ccgd.
            """)
    var variant: [String] = []

    @Option(help: "Leases asked for during the storm: one per node at a random time within this many seconds of the restart.")
    var probeSpan: Double = 30

    @Option(help: "Give up waiting for every node to hold every account after this many seconds.")
    var timeout: Double = 600

    @Option(help: "Scratch space on a disk (sockets, journals, configurations, logs); removed at the end.")
    var directory = "/var/tmp/ccgd-fleet"

    @Option(name: .customLong("runtime-directory"), help: "Lease directories (a tmpfs, as /run is under systemd); removed at the end.")
    var runtimeDirectory = "/dev/shm/ccgd-fleet"

    @Flag(help: "Keep the nodes' logs and directories for a look afterwards.")
    var keep = false

    func run() async throws {
        let domain = try TestDomain(directory: URL(fileURLWithPath: testdomain).standardizedFileURL.path)
        let held = accounts.map { $0.split(separator: ",").map(String.init) } ?? domain.gmsas
        let others = unused.split(separator: ",").map(String.init)
        guard !held.isEmpty else { throw ValidationError("--accounts names no CredSpec.") }
        let variants = try (variant.isEmpty ? ["ccgd=" + defaultExecutable] : variant).map(FleetVariant.init(parsing:))
        let plan = FleetPlan(
            nodes: nodes, accounts: held, unused: others, leasesPerNode: min(leasesPerNode ?? held.count, held.count), eager: eager,
            probeSpan: probeSpan, timeout: timeout)
        for path in [directory, runtimeDirectory] {
            try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        defer {
            if !keep {
                try? FileManager.default.removeItem(atPath: directory)
                try? FileManager.default.removeItem(atPath: runtimeDirectory)
            }
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        var results: [FleetResult] = []
        for variant in variants {
            let run = FleetRun(
                plan: plan, variant: variant, domain: domain, group: group,
                directory: directory + "/" + variant.label, runtimeDirectory: runtimeDirectory + "/" + variant.label)
            results.append(try await run.measure())
        }
        try await group.shutdownGracefully()
        print(FleetResult.report(results, plan: plan, domain: domain))
    }

    private var defaultExecutable: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ccgd").path
    }
}

/// What every node of a run holds and how the restart is probed.
struct FleetPlan {
    let nodes: Int
    /// CredSpec names every node uses (leases of the first `leasesPerNode`, eager prefetch of all when `eager`).
    let accounts: [String]
    /// CredSpec names in the directory that no node uses.
    let unused: [String]
    let leasesPerNode: Int
    let eager: Bool
    let probeSpan: Double
    let timeout: Double

    /// The CredSpecs a node should hold after the restart: its leases', and every eager one.
    var needed: [String] { eager ? accounts : Array(accounts.prefix(leasesPerNode)) }
}

/// One ccgd to measure: its executable and the [daemon] keys it is given.
struct FleetVariant {
    let label: String
    let executable: String
    let daemonSettings: [String]

    /// `LABEL=PATH;key=value;key=value`.
    init(parsing text: String) throws {
        let parts = text.split(separator: ";", omittingEmptySubsequences: true).map { $0.trimmingCharacters(in: .whitespaces) }
        guard let first = parts.first, let equals = first.firstIndex(of: "=") else {
            throw ValidationError("--variant \(text) is not LABEL=PATH[;key=value…]; e.g. --variant 'paced=.build/release/ccgd;prefetch-window=60s'.")
        }
        label = String(first[..<equals])
        executable = String(first[first.index(after: equals)...])
        daemonSettings = parts.dropFirst().map { $0.replacingOccurrences(of: "=", with: " = ", options: [], range: $0.range(of: "=")) }
        guard !label.isEmpty, label.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }) else {
            throw ValidationError("--variant's label \(label) must be letters, digits, - or _ (it names a directory).")
        }
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw ValidationError("--variant \(label): \(executable) is not an executable; build it first (swift build -c release).")
        }
    }
}
