import ArgumentParser
import DaemonHarness
import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix

/// Measures ccgd where runtimes feel it: lease latency and throughput for a cached account with
/// concurrent clients, and memory idle and per lease. Needs the test domain (scripts/testdomain up).
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "latency",
        abstract: "Benchmark a ccgd it starts against the test domain: lease latency, throughput, memory.")

    @Option(help: "The ccgd executable to start.")
    var ccgd = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("ccgd").path

    @Option(help: "The test domain's ccgd.conf (its [domain] section is used).")
    var domainConfig = ".testdomain/ccgd.conf"

    @Option(help: "The CredSpec directory.")
    var credspecs = ".testdomain/credspecs"

    @Option(help: "Where the benchmark's ccgd keeps its socket and lease journal (a disk, as /var/lib).")
    var directory = "/var/tmp/ccgd-bench"

    @Option(name: .customLong("runtime-directory"), help: "Where it keeps lease directories: a tmpfs, as /run is under systemd.")
    var runtimeDirectory = "/dev/shm/ccgd-bench"

    @Option(help: "Concurrent clients.")
    var clients = 16

    @Option(help: "Leases to create in all (the memory figure is taken at this count).")
    var leases = 10_000

    @Option(help: "The CredSpec to lease.")
    var credspec = "WebApp01"

    @Option(help: "Pace the clients to this many leases per second in all (0: as fast as they can), to see latency below saturation.")
    var rate = 0

    @Option(help: "Measure GET requests of this path instead of lease creations (to see the server's own cost).")
    var get: String?

    @Option(
        name: .customLong("ecs-credentials"),
        help: "Create the leases through the ECS front end (gRPC, as the ECS agent does) with this portable user (the file plug-in's JSON).")
    var ecsCredentials: String?

    func run() async throws {
        for path in [directory, runtimeDirectory] {
            try? FileManager.default.removeItem(atPath: path)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        }
        let domain = try String(contentsOfFile: domainConfig, encoding: .utf8)
        let domainSection = String(domain[domain.range(of: "[domain")!.lowerBound...])
        // The file plug-in reads only there: the test domain's credentials/ (or, provisioned by an older script, the domain folder).
        let domainDirectory = URL(fileURLWithPath: domainConfig).standardizedFileURL.deletingLastPathComponent().path
        let credentialsDirectory =
            FileManager.default.fileExists(atPath: domainDirectory + "/credentials")
            ? domainDirectory + "/credentials" : domainDirectory
        let socket = directory + "/ccgd.sock"
        let configuration = directory + "/ccgd.conf"
        try """
        [daemon]
        socket = \(socket)
        runtime-directory = \(runtimeDirectory)
        state-directory = \(directory)/state
        credspec-directory = \(URL(fileURLWithPath: credspecs).standardizedFileURL.path)
        log-level = warning

        [plugins]
        credentials-directory = \(credentialsDirectory)
        \(ecsCredentials == nil ? "" : "\n[ecs]\nsocket = \(directory)/ecs.sock\nkrb-files-directory = \(runtimeDirectory)/krbdir\n")
        \(domainSection)
        """.write(toFile: configuration, atomically: true, encoding: .utf8)

        let daemon = try ChildProcess(
            [ccgd, "--config", configuration], environment: ProcessInfo.processInfo.environment,
            inheritingOutput: true)
        defer {
            daemon.stop(patience: nil)
            try? FileManager.default.removeItem(atPath: directory)
            try? FileManager.default.removeItem(atPath: runtimeDirectory)
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let start = await DaemonStart.wait(for: daemon, attempts: 1200, interval: .milliseconds(50)) {
            (try? await KeepAliveClient.connect(socket, group: group).request(.GET, "/v1/health", body: nil).0) == 200
        }
        guard start == .serving else { throw ValidationError("ccgd did not start; run it by hand with --config \(configuration) to see why.") }
        try await Task.sleep(for: .seconds(1))
        let idleRSS = try residentKilobytes(daemon.pid)
        let idleAnonymous = try residentKilobytes(daemon.pid, "RssAnon:")

        let body = Array(#"{"credentialSpecName": "\#(credspec)"}"#.utf8)
        let credSpecFile = URL(fileURLWithPath: credspecs).appendingPathComponent(credspec + ".json").path
        let ecsCredentials = self.ecsCredentials, directory = self.directory
        // The first lease fetches the account; every later one is served from the cache.
        let warm = try await KeepAliveClient.connect(socket, group: group)
        let started = ContinuousClock.now
        if let ecsCredentials {
            let client = try ECSLeaseClient(socket: directory + "/ecs.sock", credSpec: credSpecFile, credentials: ecsCredentials)
            _ = try await client.lease()
            await client.close()
        } else {
            let (status, _) = try await warm.request(.POST, "/v1/leases", body: body)
            guard status == 201 else { throw ValidationError("the first lease failed with \(status); is the test domain up?") }
        }
        let uncached = ContinuousClock.now - started
        let afterFirstRSS = try residentKilobytes(daemon.pid)

        let perClient = (leases - 1) / clients
        let cpuBefore = Self.cpuSeconds(daemon.pid)
        let measured = try await withThrowingTaskGroup(of: [Duration].self) { tasks in
            for _ in 0..<clients {
                tasks.addTask {
                    let client = try await KeepAliveClient.connect(socket, group: group)
                    let ecs = try ecsCredentials.map { try ECSLeaseClient(socket: directory + "/ecs.sock", credSpec: credSpecFile, credentials: $0) }
                    var latencies: [Duration] = []
                    latencies.reserveCapacity(perClient)
                    // Paced clients send on a fixed schedule (an open loop), so a slow answer does not
                    // hide the queueing it causes.
                    let interval: Duration = rate > 0 ? .nanoseconds(Int64(1e9 * Double(clients) / Double(rate))) : .zero
                    var next =
                        ContinuousClock.now
                        + .nanoseconds(
                            Int64.random(in: 0...max(1, interval.components.attoseconds / 1_000_000_000 + interval.components.seconds * 1_000_000_000)))
                    for _ in 0..<perClient {
                        if interval > .zero {
                            try await Task.sleep(until: next, clock: .continuous)
                            next += interval
                        }
                        let start = ContinuousClock.now
                        if let ecs {
                            _ = try await ecs.lease()
                            latencies.append(ContinuousClock.now - start)
                            continue
                        }
                        let (status, answer) =
                            if let get {
                                try await client.request(.GET, get, body: nil)
                            } else {
                                try await client.request(.POST, "/v1/leases", body: body)
                            }
                        guard status == 201 || status == 200 else {
                            throw ValidationError("lease failed: \(status) \(String(decoding: answer, as: UTF8.self))")
                        }
                        latencies.append(ContinuousClock.now - start)
                    }
                    await ecs?.close()
                    return latencies
                }
            }
            let wall = ContinuousClock.now
            var all: [Duration] = []
            for try await part in tasks { all += part }
            return (all, ContinuousClock.now - wall)
        }
        let total = measured.0.count + 1
        // ccgd's own CPU per lease: what a lease costs the host, whatever the client's share of the cores.
        let cpuPerLease = (Self.cpuSeconds(daemon.pid) - cpuBefore) / Double(measured.0.count) * 1e6
        try await Task.sleep(for: .seconds(1))
        let loadedRSS = try residentKilobytes(daemon.pid)
        let loadedAnonymous = try residentKilobytes(daemon.pid, "RssAnon:")
        let sorted = measured.0.sorted()
        func percentile(_ p: Double) -> String { milliseconds(sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))]) }
        let seconds = Double(measured.1.components.seconds) + Double(measured.1.components.attoseconds) / 1e18
        print(
            """
            ccgd-bench: \(total) \(get.map { "GET \($0)" } ?? "leases of \(credspec)"), \(clients) concurrent keep-alive clients\(ecsCredentials == nil ? "" : " of the ECS front end (gRPC)")\(rate > 0 ? " paced to \(rate)/s" : " at full speed"), \(ProcessInfo.processInfo.activeProcessorCount) cores
            first lease (plug-in + DC fetch + keys + TGT)  \(milliseconds(uncached)) ms
            cached lease latency  p50 \(percentile(0.5)) ms  p90 \(percentile(0.9)) ms  p99 \(percentile(0.99)) ms  max \(milliseconds(sorted.last!)) ms
            throughput            \(Int(Double(measured.0.count) / seconds)) leases/s
            ccgd CPU              \(String(format: "%.0f", cpuPerLease)) µs per lease (user + system, /proc)
            RSS idle              \(idleRSS / 1024) MB (\(idleRSS) kB), private anonymous \(idleAnonymous) kB
            RSS after 1 lease     \(afterFirstRSS / 1024) MB
            RSS at \(total) leases  \(loadedRSS / 1024) MB: \(String(format: "%.2f", Double(loadedRSS - afterFirstRSS) / Double(total - 1))) kB per lease, private anonymous \(loadedAnonymous) kB
            """)
        try await group.shutdownGracefully()
    }

    private func milliseconds(_ duration: Duration) -> String {
        let value = Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
        return String(format: "%.3f", value)
    }

    /// The user + system CPU time of process `pid` so far, in seconds (/proc/PID/stat, clock ticks).
    static func cpuSeconds(_ pid: Int32) -> Double {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return 0 }
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return 0 }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// A line of /proc/PID/status in kB: VmRSS as ps shows it, RssAnon the private anonymous part.
    private func residentKilobytes(_ pid: Int32, _ field: String = "VmRSS:") throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(field) }),
            let value = Int(line.split(separator: " ", omittingEmptySubsequences: true)[1])
        else { return 0 }
        return value
    }
}

/// One keep-alive HTTP/1.1 connection to the socket, one request at a time. Not SocketClient
/// (one blocking request per connection): the benchmark measures reused connections, hundreds at once.
final class KeepAliveClient: @unchecked Sendable {
    let channel: Channel
    private let pending: NIOLockedValueBox<EventLoopPromise<(Int, [UInt8])>?>

    private init(channel: Channel, pending: NIOLockedValueBox<EventLoopPromise<(Int, [UInt8])>?>) {
        self.channel = channel
        self.pending = pending
    }

    static func connect(_ socket: String, group: EventLoopGroup) async throws -> KeepAliveClient {
        let pending = NIOLockedValueBox<EventLoopPromise<(Int, [UInt8])>?>(nil)
        let channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    try channel.pipeline.syncOperations.addHandler(Collector(pending: pending))
                }
            }
            .connect(unixDomainSocketPath: socket).get()
        return KeepAliveClient(channel: channel, pending: pending)
    }

    func request(_ method: HTTPMethod, _ path: String, body: [UInt8]?) async throws -> (Int, [UInt8]) {
        let promise = channel.eventLoop.makePromise(of: (Int, [UInt8]).self)
        pending.withLockedValue { $0 = promise }
        var headers = HTTPHeaders()
        headers.add(name: "host", value: "ccgd")
        headers.add(name: "content-length", value: String(body?.count ?? 0))
        channel.write(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)), promise: nil)
        if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: body))), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        return try await promise.futureResult.get()
    }

    private final class Collector: ChannelInboundHandler, @unchecked Sendable {
        typealias InboundIn = HTTPClientResponsePart
        let pending: NIOLockedValueBox<EventLoopPromise<(Int, [UInt8])>?>
        var status = 0
        var body: [UInt8] = []

        init(pending: NIOLockedValueBox<EventLoopPromise<(Int, [UInt8])>?>) { self.pending = pending }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case let .head(head): status = Int(head.status.code); body = []
            case let .body(buffer): body += buffer.readableBytesView
            case .end:
                let promise = pending.withLockedValue { promise in
                    defer { promise = nil }; return promise
                }
                promise?.succeed((status, body))
            }
        }
    }
}
