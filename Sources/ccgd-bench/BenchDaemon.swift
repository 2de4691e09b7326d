import DaemonHarness
import Foundation
import NIOCore
import NIOHTTP1

/// A ccgd that `compare` starts on its own socket and directories, with the test domain's
/// [plugins] and [domain] sections; every start is a fresh daemon (empty state, nothing cached).
struct BenchDaemon {
    let process: ChildProcess
    let socket: String
    let group: EventLoopGroup

    struct Setup {
        let executable: String
        let testDomain: TestDomain
        /// Under /var/tmp (a disk, as /var/lib): socket, configuration, journal, log.
        let directory: String
        /// Under /dev/shm (a tmpfs, as /run under systemd): lease directories.
        let runtimeDirectory: String
        /// `prefetch = yes|no` in [daemon], or nil to leave the key out (a ccgd that does not know it).
        var prefetch: Bool?
        /// CredSpecs opted in to eager prefetch (`[credspec "NAME"] prefetch = yes`, fetched at once:
        /// `prefetch-window = 0`); empty for a ccgd that prefetches its whole directory.
        var eager: [String] = []
        /// The whole configuration file, when the caller writes its own (a soak: two DCs, its [refresh]).
        var configurationText: String?
        /// Added to the daemon's environment (a soak: libfaketime's, to share the DCs' clock).
        var environment: [String: String] = [:]
        var socket: String { directory + "/ccgd.sock" }
        var configuration: String { directory + "/ccgd.conf" }
        var log: String { directory + "/ccgd.log" }

        /// The configuration: our [daemon], then every other section of the test domain's ccgd.conf.
        func writeConfiguration() throws {
            if let configurationText {
                try configurationText.write(toFile: configuration, atomically: true, encoding: .utf8)
                return
            }
            let others = try DaemonConfiguration.sectionsOtherThanDaemon(ofFile: testDomain.configurationFile)
            let prefetchLine = (prefetch.map { "prefetch = \($0 ? "yes" : "no")\n" } ?? "") + (eager.isEmpty ? "" : "prefetch-window = 0\n")
            let eagerSections = eager.map { "[credspec \"\($0)\"]\nprefetch = yes\n" }.joined(separator: "\n")
            try """
            [daemon]
            socket = \(socket)
            runtime-directory = \(runtimeDirectory)
            state-directory = \(directory)/state
            credspec-directory = \(testDomain.credSpecDirectory)
            log-level = warning
            \(prefetchLine)
            \(others)

            \(eagerSections)
            """.write(toFile: configuration, atomically: true, encoding: .utf8)
        }

        /// Whether this ccgd accepts the configuration (`ccgd --check-config`).
        func configurationAccepted() throws -> Bool {
            try writeConfiguration()
            return try ChildProcess.run(
                [executable, "--check-config", "--config", configuration], environment: Compare.cleanEnvironment,
                stdout: log, stderr: log
            ).succeeded
        }
    }

    /// Starts a fresh daemon (empty state and lease directories) and waits until /v1/health answers.
    static func start(_ setup: Setup, group: EventLoopGroup) async throws -> BenchDaemon {
        for path in [setup.directory + "/state", setup.runtimeDirectory] {
            try? FileManager.default.removeItem(atPath: path)
        }
        try FileManager.default.createDirectory(atPath: setup.runtimeDirectory, withIntermediateDirectories: true)
        try setup.writeConfiguration()
        let process = try ChildProcess(
            [setup.executable, "--config", setup.configuration], environment: Compare.cleanEnvironment.merging(setup.environment) { $1 },
            stdout: setup.log, stderr: setup.log)
        let daemon = BenchDaemon(process: process, socket: setup.socket, group: group)
        switch await DaemonStart.wait(
            for: process, attempts: 6000, interval: .milliseconds(2),
            serves: {
                (try? await KeepAliveClient.connect(setup.socket, group: group).request(.GET, "/v1/health", body: nil).0) == 200
            })
        {
        case .serving:
            return daemon
        case .exited:
            throw BenchError("ccgd exited at start; see \(setup.log).")
        case .silent:
            process.stop()
            throw BenchError("ccgd did not answer /v1/health within 12 s; see \(setup.log).")
        }
    }

    func client() async throws -> KeepAliveClient {
        try await KeepAliveClient.connect(socket, group: group)
    }

    /// One lease of a named CredSpec on `client`, timed from request to answer.
    static func lease(_ credSpec: String, on client: KeepAliveClient) async throws -> Duration {
        let started = ContinuousClock.now
        let (status, answer) = try await client.request(.POST, "/v1/leases", body: Array(#"{"credentialSpecName": "\#(credSpec)"}"#.utf8))
        let elapsed = ContinuousClock.now - started
        guard status == 201 else {
            throw BenchError("a lease of \(credSpec) failed with \(status): \(String(decoding: answer, as: UTF8.self))")
        }
        return elapsed
    }

    /// The sum of every sample of a Prometheus counter in GET /metrics (only those with `label`,
    /// e.g. `result="reused"`, when given); nil when the daemon has no such sample.
    func counter(_ name: String, label: String? = nil) async throws -> Int? {
        let (_, body) = try await client().request(.GET, "/metrics", body: nil)
        let samples = String(decoding: body, as: UTF8.self).split(separator: "\n")
            .filter { $0.hasPrefix(name + "{") || $0.hasPrefix(name + " ") }
            .filter { label.map($0.contains) ?? true }
        return samples.isEmpty
            ? nil
            : samples
                .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
                .reduce(0) { $0 + Int($1) }
    }

    /// The state GET /v1/accounts gives `account` (e.g. "fresh"), or nil when it is not listed.
    func accountState(_ account: String) async throws -> String? {
        let (_, body) = try await client().request(.GET, "/v1/accounts", body: nil)
        let json = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        let accounts = json?["accounts"] as? [[String: Any]] ?? []
        func bare(_ name: String) -> String { (name.hasSuffix("$") ? String(name.dropLast()) : name).lowercased() }
        return accounts.first { ($0["account"] as? String).map(bare) == bare(account) }?["state"] as? String
    }

    /// Resident memory as `ps` reports it (VmRSS), the anonymous part of it (RssAnon: heap,
    /// stacks, private mappings; not the shared libraries' pages), and every page only this process
    /// maps (smaps_rollup Private_Clean + Private_Dirty: the anonymous ones and the libraries'
    /// written or relocated ones), in kB.
    func memory() throws -> (resident: Int, anonymous: Int, privatePages: Int) {
        let status = try String(contentsOfFile: "/proc/\(process.pid)/status", encoding: .utf8)
        let rollup = (try? String(contentsOfFile: "/proc/\(process.pid)/smaps_rollup", encoding: .utf8)) ?? ""
        func field(_ name: String, in text: String) -> Int {
            guard let line = text.split(separator: "\n").first(where: { $0.hasPrefix(name + ":") }) else { return 0 }
            return Int(line.split(separator: " ", omittingEmptySubsequences: true)[1]) ?? 0
        }
        return (
            field("VmRSS", in: status), field("RssAnon", in: status),
            field("Private_Clean", in: rollup) + field("Private_Dirty", in: rollup)
        )
    }

    func stop() { process.stop() }
}
