import ArgumentParser
import DaemonHarness
import Foundation
import NIOCore
import NIOPosix

/// The whole comparison, from one run against the test domain: the credentials-fetcher-style
/// command chain and gmsad next to `ccgctl fetch` and every kind of daemon lease, the floors the
/// DC and the crypto set, fetch coalescing, warm throughput and memory. Prints one Markdown table.
/// Nothing here asserts a time; the figures are for people to read (docs/performance.md).
struct Compare: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the peers and ccgd's leases side by side against the test domain and print one table (scripts/bench).")

    @Option(help: "The test domain's directory (scripts/testdomain; default $CCGD_TESTDOMAIN_DIR, else .testdomain).")
    var testdomain = TestDomainFile.directory(fallback: ".testdomain")

    @Option(help: "The directory of the release ccgd and ccgctl (default: this program's).")
    var binaries = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().path

    @Option(help: "Samples per timed row.")
    var samples = 10

    @Option(help: "Leases for the per-lease memory figure (the latency run at 16 clients).")
    var leases = 10_000

    @Option(help: "Concurrent first requests for one account (how many DC fetches do they cause?).")
    var concurrent = 64

    @Option(
        name: .customLong("gmsad-venv"),
        help: "A Python virtual environment with gmsad 0.2.1 installed (default: make a throwaway one under /var/tmp with pip).")
    var gmsadVenv: String?

    @Flag(name: .customLong("skip-gmsad"), help: "Leave gmsad out (no PyPI access).")
    var skipGmsad = false

    @Option(help: "Scratch space on a disk (daemon sockets, journals, ccaches, keytabs); removed at the end.")
    var directory = "/var/tmp/ccgd-bench-compare"

    @Option(name: .customLong("runtime-directory"), help: "Lease directories: a tmpfs, as /run is under systemd; removed at the end.")
    var runtimeDirectory = "/dev/shm/ccgd-bench-compare"

    /// The caller's environment without a Kerberos cache or configuration of its own.
    static var cleanEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.filter { $0.key != "KRB5CCNAME" && $0.key != "KRB5_CONFIG" && $0.key != "KRB5_KTNAME" }
    }

    func run() async throws {
        let domain = try TestDomain(directory: URL(fileURLWithPath: testdomain).standardizedFileURL.path)
        for path in [directory, runtimeDirectory] {
            try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        defer {
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: runtimeDirectory)
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let comparison = CompareRun(options: self, domain: domain, group: group)
        do {
            try await comparison.all()
        } catch {
            // What was measured so far is still worth seeing.
            print(comparison.report())
            try? await group.shutdownGracefully()
            throw error
        }
        print(comparison.report())
        try await group.shutdownGracefully()
    }
}

/// One run of `compare`: its scratch files, the recorder of DC CPU, and the table it fills.
final class CompareRun {
    let options: Compare
    let domain: TestDomain
    let group: EventLoopGroup
    var table = ResultTable()
    var notes: [String] = []
    let dcTime: DCProcessTime?
    let account: String
    let secondAccount: String?
    /// Whether this ccgd knows `prefetch` in [daemon]; asked once (see `prefetchKnown`).
    var prefetchAccepted: Bool?
    /// The fully cold lease's row: its DC CPU is the floors' "DC CPU per fetch".
    var coldLease: ResultTable.Value?

    init(options: Compare, domain: TestDomain, group: EventLoopGroup) {
        self.options = options
        self.domain = domain
        self.group = group
        dcTime = domain.dcPID.map(DCProcessTime.init(rootPID:))
        account = domain.gmsas[0]
        secondAccount = domain.gmsas.count > 1 ? domain.gmsas[1] : nil
    }

    var work: String { options.directory }
    var krb5Config: String { work + "/krb5.conf" }
    /// The environment of the MIT tools: our krb5.conf, no inherited ccache.
    var toolEnvironment: [String: String] { Compare.cleanEnvironment.merging(["KRB5_CONFIG": krb5Config]) { $1 } }
    var principal: String { "\(account)$@\(domain.realm)" }
    var readerPrincipal: String { "\(domain.reader)@\(domain.realm)" }
    var passwordLine: [UInt8] { Array((domain.readerPassword + "\n").utf8) }

    /// Times `samples` samples; `body` runs one and returns its timed part (through `timed`). The
    /// DC CPU column is the DC's CPU time during the timed parts, per sample.
    func measure(_ body: (Int) async throws -> Duration) async throws -> ResultTable.Value {
        dcDuringTimed = .zero
        var durations: [Duration] = []
        for index in 0..<options.samples { durations.append(try await body(index)) }
        return .timed(Samples(durations: durations), dcCPU: dcTime == nil ? nil : dcDuringTimed / durations.count)
    }

    private var dcDuringTimed: Duration = .zero

    /// Times `body` (wall clock) and adds the DC's CPU time during it to the current row.
    func timed(_ body: () async throws -> Void) async throws -> Duration {
        let dcBefore = dcTime?.now()
        let started = ContinuousClock.now
        try await body()
        let elapsed = ContinuousClock.now - started
        if let dcBefore, let dcAfter = dcTime?.now() { dcDuringTimed += dcAfter - dcBefore }
        return elapsed
    }

    /// Runs a tool to its end; a failure says which command and where its output went.
    func tool(_ arguments: [String], environment: [String: String]? = nil, input: [UInt8]? = nil, stdout: String? = nil) throws {
        let log = work + "/tool.log"
        try? FileManager.default.removeItem(atPath: log)
        let exit = try ChildProcess.run(arguments, environment: environment ?? toolEnvironment, input: input, stdout: stdout ?? log, stderr: log)
        guard exit.succeeded else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw BenchError("\(arguments.prefix(2).joined(separator: " ")) failed with status \(exit.status): \(output.suffix(400))")
        }
    }

    /// The 1-minute load average at the start and the end: how busy the machine was around the run.
    var loadAverages: [String] = []

    static func loadAverage() -> String {
        ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?").split(separator: " ").first.map(String.init) ?? "?"
    }

    func all() async throws {
        loadAverages.append(Self.loadAverage())
        defer { loadAverages.append(Self.loadAverage()) }
        try writeKerberosConfiguration()
        let controllerResolves = Self.resolves(domain.controller)
        if !controllerResolves {
            notes.append(
                "\(domain.controller) does not resolve here, so ldapsearch cannot ask for ldap/\(domain.controller): run compare through scripts/bench, which gives it a private /etc/hosts."
            )
        }
        try await peers(controllerResolves: controllerResolves)
        try await leases()
        try await floors(controllerResolves: controllerResolves)
        try await coalescing()
        try await throughputAndMemory()
    }

    /// The client side of the test domain: its KDC on TCP (`udp_preference_limit = 1`, as ccgd's
    /// own krb5.conf has: the AS reply with a PAC is too big for UDP and would be retried over TCP).
    func writeKerberosConfiguration() throws {
        try """
        [libdefaults]
        \tdefault_realm = \(domain.realm)
        \tdns_lookup_realm = false
        \tdns_lookup_kdc = false
        \trdns = false
        \tdns_canonicalize_hostname = false
        \tudp_preference_limit = 1

        [realms]
        \t\(domain.realm) = {
        \t\tkdc = \(domain.controllerAddress):88
        \t}

        [domain_realm]
        \t.\(domain.dnsDomain) = \(domain.realm)
        \t\(domain.dnsDomain) = \(domain.realm)

        """.write(toFile: krb5Config, atomically: true, encoding: .utf8)
    }

    static func resolves(_ host: String) -> Bool {
        var result: UnsafeMutablePointer<addrinfo>?
        defer { if let result { freeaddrinfo(result) } }
        return getaddrinfo(host, nil, nil, &result) == 0
    }

    func report() -> String {
        let cores = ProcessInfo.processInfo.activeProcessorCount
        var text =
            "ccgd-bench compare: \(domain.realm) on \(domain.controller) (\(domain.controllerAddress)), gMSA \(account), portable user \(domain.reader); \(cores) cores\n\n"
        text += table.render(samples: options.samples)
        var notes = notes
        notes.append(
            "Times are wall clock on this machine as it was during the run (other work included: 1-minute load average \(loadAverages.joined(separator: " at the start, ")) at the end); the DC CPU column counts all of the DC's work during the timed parts, another client's too."
        )
        if !notes.isEmpty { text += "\n\n" + notes.map { "- " + $0 }.joined(separator: "\n") }
        return text
    }
}
