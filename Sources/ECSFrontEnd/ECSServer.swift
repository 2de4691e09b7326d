import FoundationEssentials
import GRPCUnaryServer
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOExtras
import NIOPosix
import Glibc
import Observability
import LeaseService

/// The gRPC server of the ECS front end on its Unix socket (or one systemd passed): HTTP/2 over
/// SwiftNIO, each stream one unary RPC of credentials-fetcher's service (`GRPCUnaryServer`'s `GRPCStreamHandler`).
package final class ECSServer: Sendable {
    package struct Settings: Sendable {
        package var socketPath: String
        package var socketMode: mode_t = 0o660
        package var krbFilesDirectory: String
        /// Connections of allowed peers, shared as on the API's socket (the same `[daemon]` keys).
        package var connections = ConnectionLimits()
        /// Connections of peers the allow-list does not name (each RPC of theirs is refused).
        package var maximumRefusedConnections = 16
        /// Concurrent RPCs on one connection, and the largest request (`GRPCConnection.Limits`).
        package var maximumConcurrentRPCs = 16
        package var maximumRequestSize = 1 << 20

        package init(socketPath: String, krbFilesDirectory: String) {
            self.socketPath = socketPath
            self.krbFilesDirectory = krbFilesDirectory
        }
    }

    private let settings: Settings
    private let service: CredentialsFetcherService
    private let policy: @Sendable () -> PeerPolicy
    private let inheritedDescriptor: Int32?
    private let logger: Logger
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    /// Released before the loop stops: the helper completes a promise on it when released.
    private let quiescing: NIOLockedValueBox<ServerQuiescingHelper?>
    /// Whether the socket is bound and a stop was asked for; the stop begins once both are true.
    private let lifecycle = NIOLockedValueBox((bound: false, stopping: false, done: EventLoopPromise<Void>?.none))
    /// The allowed peers' connections; its limits are replaced on reload.
    package let shares: ConnectionShares

    /// A server for `service` (which checks each caller against the allow-list, as `policy`
    /// does each connection); `inheritedDescriptor` is a listening socket systemd passed.
    package init(
        _ settings: Settings, service: CredentialsFetcherService, policy: @escaping @Sendable () -> PeerPolicy,
        inheritedDescriptor: Int32?, logger: Logger
    ) throws {
        self.settings = settings
        self.service = service
        self.policy = policy
        self.inheritedDescriptor = inheritedDescriptor
        self.logger = logger
        shares = ConnectionShares(settings.connections)
        quiescing = NIOLockedValueBox(ServerQuiescingHelper(group: group))
        if inheritedDescriptor == nil {
            let directory = settings.socketPath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        }
        // Made at start, so that a lease's own directory is one exclusive mkdir in it; 0711: its lease ids cannot be listed.
        try FileManager.default.createDirectory(
            atPath: settings.krbFilesDirectory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o711])
    }

    /// Serves until `shutdown()`; the socket gets its mode once it is bound.
    package func run() async throws {
        guard let quiescer = quiescing.withLockedValue({ $0 }) else { return }
        let admission = ECSConnectionAdmission(
            shares: shares, refused: ConnectionLimit(maximum: settings.maximumRefusedConnections), policy: policy,
            refusals: ConnectionRefusalLog(logger: logger, socket: settings.socketPath))
        let (settings, service) = (self.settings, self.service)
        let routes = ECSRoutes.table(service)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescer.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelInitializer { connection in
                admission.admit(connection).flatMapThrowing { peer in
                    try Self.serveRPCs(on: connection, peer: peer, settings: settings, routes: routes)
                }
            }
        let channel: Channel
        if let inheritedDescriptor {
            channel = try await bootstrap.withBoundSocket(inheritedDescriptor).get()
        } else {
            channel = try await bootstrap.bind(unixDomainSocketPath: settings.socketPath, cleanupExistingSocketFile: true).get()
            chmod(settings.socketPath, settings.socketMode)
        }
        if lifecycle.withLockedValue({
            $0.bound = true; return $0.stopping
        }) {
            stop()
        }
        try await channel.closeFuture.get()
        // Connections still answering RPCs finish; the quiescing helper closes each once it is idle.
        try? await lifecycle.withLockedValue({ $0.done })?.futureResult.get()
        if inheritedDescriptor == nil { unlink(settings.socketPath) }
        quiescing.withLockedValue { $0 = nil }
        try? await group.shutdownGracefully()
    }

    /// Makes `connection` a gRPC server connection whose every stream is one unary RPC routed by
    /// `routes` for `peer` (the tests drive this pipeline with gRPC clients and with hand-made frames).
    static func serveRPCs(on connection: any Channel, peer: PeerCredentials?, settings: Settings, routes: GRPCRoutes<PeerCredentials?>) throws {
        let limits = GRPCConnection.Limits(maximumConcurrentRPCs: settings.maximumConcurrentRPCs, maximumRequestSize: settings.maximumRequestSize)
        try GRPCConnection.serve(on: connection, limits: limits, route: routes.bound(to: peer))
    }

    /// Stops taking connections and lets RPCs in flight finish.
    package func shutdown() {
        if lifecycle.withLockedValue({
            $0.stopping = true; return $0.bound
        }) {
            stop()
        }
    }

    /// Begins the stop once: the helper closes the listening channel, then each connection once
    /// its streams have ended (HTTP/2's GOAWAY).
    private func stop() {
        let promise = group.next().makePromise(of: Void.self)
        let first = lifecycle.withLockedValue { state in
            guard state.done == nil else { return false }
            state.done = promise
            return true
        }
        if first, let quiescer = quiescing.withLockedValue({ $0 }) { quiescer.initiateShutdown(promise: promise) } else { promise.succeed() }
    }
}

/// Sorts each accepted connection into its budget, as the API's socket does: an allowed peer
/// into its uid's share, any other into the small budget of refused connections. gRPC has no
/// cheap way to say why, so a connection over its limit is closed at once (the client sees
/// UNAVAILABLE) and the refusal is logged, at most one line per interval. Answers the peer.
private struct ECSConnectionAdmission: Sendable {
    let shares: ConnectionShares
    let refused: ConnectionLimit
    let policy: @Sendable () -> PeerPolicy
    let refusals: ConnectionRefusalLog

    struct Closed: Error {}

    func admit(_ connection: any Channel) -> EventLoopFuture<PeerCredentials?> {
        PeerIdentity.credentials(of: connection).flatMapThrowing { (peer: PeerCredentials?) -> PeerCredentials? in
            guard let leave = slot(for: peer) else {
                connection.close(promise: nil)
                throw Closed()
            }
            connection.closeFuture.whenComplete { _ in leave() }
            return peer
        }
    }

    /// How to give the connection's slot back; nil when it gets none.
    private func slot(for peer: PeerCredentials?) -> (@Sendable () -> Void)? {
        guard let peer, policy().allows(peer) else {
            let refused = self.refused
            guard refused.enter() else { return nil }
            return { refused.leave() }
        }
        if let over = shares.enter(peer.uid) {
            refusals.record(over)
            Metrics.shared.increment("ccgd_connections_refused_total", ["limit": over.reason])
            return nil
        }
        let shares = self.shares
        return { shares.leave(peer.uid) }
    }
}
