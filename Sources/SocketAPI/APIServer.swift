import DurableFiles
import FoundationEssentials
import Glibc
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOExtras
import NIOHTTP1
import NIOPosix
import LeaseService

/// The HTTP/1.1 server on ccgd's Unix socket.
package final class APIServer: Sendable {
    package struct Settings: Sendable {
        package var socketPath: String
        package var socketMode: mode_t = 0o660
        package var socketGroup: gid_t?
        package var policy: PeerPolicy
        package var maximumBodySize = 1 << 20
        /// A connection with no traffic for this long is closed.
        package var idleTimeout: TimeAmount = .seconds(60)
        /// A request, head and body, must arrive within this long of the connection's start (or
        /// of the previous response's end).
        package var requestDeadline: TimeAmount = .seconds(10)
        /// Connections of allowed peers, and their shares: root's reserve, each other uid's limit.
        package var connections = ConnectionLimits()
        /// Connections of this process (the watchdog probe), in a budget of their own: peers
        /// holding every other slot must not make systemd restart ccgd.
        package var maximumOwnConnections = 4
        /// Connections of peers the policy does not allow: each gets its 403 and is closed, in a
        /// budget of its own so that they never take an allowed peer's slot.
        package var maximumRefusedConnections = 16
        /// How long a refused peer has to send its request head.
        package var refusedRequestDeadline: TimeAmount = .seconds(2)

        package init(socketPath: String, policy: PeerPolicy) {
            self.socketPath = socketPath
            self.policy = policy
        }
    }

    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    /// Who may call; replaced on reload.
    package let policy: PeerPolicyBox
    /// Whether the socket came from systemd (which then owns its file).
    private let inherited: Bool
    private let quiescing: NIOLockedValueBox<ServerQuiescingHelper?>
    package let settings: Settings
    /// The allowed peers' connections; its limits are replaced on reload.
    package let shares: ConnectionShares

    private init(
        group: MultiThreadedEventLoopGroup, channel: Channel, quiescing: ServerQuiescingHelper, settings: Settings,
        policy: PeerPolicyBox, shares: ConnectionShares, inherited: Bool
    ) {
        self.group = group
        self.channel = channel
        self.policy = policy
        self.shares = shares
        self.inherited = inherited
        self.quiescing = NIOLockedValueBox(quiescing)
        self.settings = settings
    }

    /// Serves `router` on the socket systemd passed (`inheritedDescriptor`), or binds the socket
    /// itself, refusing to take over one a live server still uses.
    package static func start(_ settings: Settings, router: APIRouter, inheritedDescriptor: Int32? = nil, logger: Logger) async throws -> APIServer {
        if inheritedDescriptor == nil { try SocketFile.prepare(settings.socketPath) }
        let policy = PeerPolicyBox(settings.policy)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let quiescing = ServerQuiescingHelper(group: group)
        let shares = ConnectionShares(settings.connections)
        let ownConnections = ConnectionLimit(maximum: settings.maximumOwnConnections)
        let refusedConnections = ConnectionLimit(maximum: settings.maximumRefusedConnections)
        let refusals = ConnectionRefusalLog(logger: logger, socket: settings.socketPath)
        for limit in ConnectionRefusal.reasons { router.metrics.declare("ccgd_connections_refused_total", ["limit": limit]) }
        let bootstrap = ServerBootstrap(group: group)
            // A deep queue and many accepts per wake-up: a peer flooding connections (refused or
            // not) must not fill the queue before an allowed client's connection is taken.
            .serverChannelOption(.backlog, value: 4096)
            .serverChannelOption(.maxMessagesPerRead, value: 256)
            // Back-pressure: above 64 KiB of unsent answer a connection is unwritable, and
            // APIChannelHandler takes up no further request of it until it is below 32 KiB.
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 32 * 1024, high: 64 * 1024))
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescing.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelInitializer { channel in
                // The kernel knows the peer as soon as it connects: sort it into its budget now.
                PeerCredentials.of(channel).flatMap { peer in
                    var refusal: APIChannelHandler.Refusal?
                    var leave: (@Sendable () -> Void)?
                    if let peer, peer.isThisProcess {
                        if ownConnections.enter() { leave = { ownConnections.leave() } }
                    } else if let peer, policy.policy.allows(peer) {
                        if let over = shares.enter(peer.uid) {
                            refusals.record(over)
                            router.metrics.increment("ccgd_connections_refused_total", ["limit": over.reason])
                            refusal = .overLimit(over)
                        } else {
                            leave = { shares.leave(peer.uid) }
                        }
                    } else {
                        refusal = .notAllowed
                    }
                    // A refused peer gets its answer in the small budget of refused connections, or none when that is full.
                    if refusal != nil, refusedConnections.enter() { leave = { refusedConnections.leave() } }
                    guard let leave else {
                        if refusal == .notAllowed { APIChannelHandler.forbidden(peer, answered: false, refusals: refusals, metrics: router.metrics) }
                        return channel.close()
                    }
                    channel.closeFuture.whenComplete { _ in leave() }
                    return channel.eventLoop.makeCompletedFuture {
                        let pipeline = channel.pipeline.syncOperations
                        try pipeline.addHandler(IdleStateHandler(readTimeout: settings.idleTimeout))
                        try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: true, withErrorHandling: true)
                        try pipeline.addHandler(
                            APIChannelHandler(
                                router: router, policy: policy, peer: peer, refusal: refusal, refusals: refusals,
                                maximumBodySize: settings.maximumBodySize,
                                requestDeadline: refusal == nil ? settings.requestDeadline : settings.refusedRequestDeadline))
                    }
                }
            }
        let channel: Channel
        do {
            if let inheritedDescriptor {
                channel = try await bootstrap.withBoundSocket(inheritedDescriptor).get()
            } else {
                channel = try await bootstrap.bind(unixDomainSocketPath: settings.socketPath, cleanupExistingSocketFile: false).get()
                try SocketFile.settle(settings.socketPath, mode: settings.socketMode, group: settings.socketGroup)
            }
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
        logger.info("listening", metadata: ["socket": "\(settings.socketPath)", "from": "\(inheritedDescriptor == nil ? "ccgd" : "systemd")"])
        return APIServer(
            group: group, channel: channel, quiescing: quiescing, settings: settings, policy: policy,
            shares: shares, inherited: inheritedDescriptor != nil)
    }

    /// Stops accepting, lets requests in flight finish, then closes every connection.
    package func shutdown() async {
        let done = group.next().makePromise(of: Void.self)
        quiescing.withLockedValue { $0?.initiateShutdown(promise: done) }
        try? await done.futureResult.get()
        // The listening channel finishes closing on the loop: the loop must outlive it.
        try? await channel.closeFuture.get()
        if !inherited { unlink(settings.socketPath) }
        // The helper completes a promise on the loop when released: release it while the loop runs.
        quiescing.withLockedValue { $0 = nil }
        try? await group.shutdownGracefully()
    }
}

/// The socket file: a stale one is replaced, a live one is an error; mode and group are set.
enum SocketFile {
    struct InUse: Error, CustomStringConvertible {
        let path: String
        var description: String { "another server is listening on \(path); stop it first or choose another socket path." }
    }

    static func prepare(_ path: String) throws {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        try FileManager.default.createDirectory(
            atPath: directory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o755])
        var status = stat()
        guard lstat(path, &status) == 0 else { return }
        guard status.st_mode & S_IFMT == S_IFSOCK else {
            throw FileSystemError("replace (it is not a socket)", path: path, errno: EEXIST)
        }
        if isLive(path) { throw InUse(path: path) }
        unlink(path)
    }

    static func settle(_ path: String, mode: mode_t, group: gid_t?) throws {
        if let group, chown(path, uid_t.max, group) != 0 { throw FileSystemError("set the group of", path: path, errno: errno) }
        guard chmod(path, mode) == 0 else { throw FileSystemError("set the mode of", path: path, errno: errno) }
    }

    private static func isLive(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.utf8.count < capacity else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { buffer in
            buffer.copyBytes(from: path.utf8)
            buffer[path.utf8.count] = 0
        }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
    }
}
