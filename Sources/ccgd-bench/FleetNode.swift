import DaemonHarness
import Foundation
import NIOCore

/// One simulated node: a ccgd with its own socket, state and runtime directory, reading the
/// fleet's CredSpec directory. Its state survives a stop, so that a start restores its leases.
final class FleetNode: @unchecked Sendable {
    let index: Int
    let directory: String
    let runtimeDirectory: String
    private(set) var process: ChildProcess?

    var socket: String { directory + "/ccgd.sock" }
    var configuration: String { directory + "/ccgd.conf" }
    var log: String { directory + "/ccgd.log" }

    init(index: Int, directory: String, runtimeDirectory: String) {
        self.index = index
        self.directory = directory
        self.runtimeDirectory = runtimeDirectory
    }

    /// Writes the configuration: our [daemon] and `credspecSections`, then the test domain's
    /// sections other than [daemon] ([plugins], [domain]).
    func configure(domain: TestDomain, credSpecDirectory: String, daemonSettings: [String], credspecSections: String) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: runtimeDirectory, withIntermediateDirectories: true)
        let others = try DaemonConfiguration.sectionsOtherThanDaemon(ofFile: domain.configurationFile)
        // A variant may set its own log level (e.g. `log-level=info` to see why fetches failed).
        let logLevel = daemonSettings.contains { $0.hasPrefix("log-level ") } ? "" : "log-level = notice"
        try """
        [daemon]
        socket = \(socket)
        runtime-directory = \(runtimeDirectory)
        state-directory = \(directory)/state
        credspec-directory = \(credSpecDirectory)
        \(logLevel)
        allow-inline-credspecs = yes
        \(daemonSettings.joined(separator: "\n"))

        \(credspecSections)
        \(others)
        """.write(toFile: configuration, atomically: true, encoding: .utf8)
    }

    func start(_ executable: String) throws {
        process = try ChildProcess([executable, "--config", configuration], environment: Compare.cleanEnvironment, stdout: log, stderr: log)
    }

    /// SIGTERM and reap (our own child, by its pid).
    func stop() {
        process?.stop()
        process = nil
    }

    var exited: Bool { process?.hasExited ?? true }

    func client(group: EventLoopGroup) async throws -> KeepAliveClient {
        try await KeepAliveClient.connect(socket, group: group)
    }

    /// Whether GET /v1/health answers at all (200 or 503: the socket serves).
    func answers(group: EventLoopGroup) async -> Bool {
        guard let client = try? await client(group: group), let (status, _) = try? await client.request(.GET, "/v1/health", body: nil) else {
            return false
        }
        await client.close()
        return status == 200 || status == 503
    }

    /// The accounts GET /v1/accounts lists: name (without `$`, lower case) → (state, fetchedAt).
    func accounts(group: EventLoopGroup) async throws -> [String: (state: String, fetchedAt: Date?)] {
        let client = try await client(group: group)
        defer { Task { await client.close() } }
        let (_, body) = try await client.request(.GET, "/v1/accounts", body: nil)
        let json = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        var result: [String: (String, Date?)] = [:]
        let formatter = ISO8601DateFormatter()
        for account in json?["accounts"] as? [[String: Any]] ?? [] {
            guard let name = account["account"] as? String, let state = account["state"] as? String else { continue }
            result[FleetNode.bare(name)] = (state, (account["fetchedAt"] as? String).flatMap(formatter.date(from:)))
        }
        return result
    }

    /// The sum of a counter's samples in GET /metrics whose labels contain `label` (all when nil).
    func counter(_ name: String, label: String? = nil, group: EventLoopGroup) async throws -> Int {
        let client = try await client(group: group)
        defer { Task { await client.close() } }
        let (_, body) = try await client.request(.GET, "/metrics", body: nil)
        return String(decoding: body, as: UTF8.self).split(separator: "\n")
            .filter { ($0.hasPrefix(name + "{") || $0.hasPrefix(name + " ")) && (label.map($0.contains) ?? true) }
            .compactMap { $0.split(separator: " ").last.flatMap { Double($0) } }
            .reduce(0) { $0 + Int($1) }
    }

    static func bare(_ name: String) -> String {
        (name.hasSuffix("$") ? String(name.dropLast()) : name).lowercased()
    }
}

extension KeepAliveClient {
    func close() async {
        try? await channel.close()
    }
}
