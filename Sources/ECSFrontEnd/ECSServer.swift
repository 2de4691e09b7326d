import FoundationEssentials
import GRPCUnaryServer
import Glibc
import LeaseService
import Logging
import NIOCore
import Observability

/// The gRPC server of the ECS front end on its Unix socket (or one systemd passed): the shared
/// `GRPCSocketServer` with credentials-fetcher's routes and the API socket's admission rules.
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

        var limits: GRPCConnection.Limits {
            GRPCConnection.Limits(maximumConcurrentRPCs: maximumConcurrentRPCs, maximumRequestSize: maximumRequestSize)
        }
    }

    private let server: GRPCSocketServer<PeerCredentials?>
    /// The allowed peers' connections; its limits are replaced on reload.
    package let shares: ConnectionShares

    /// A server for `service` (which checks each caller against the allow-list, as `policy`
    /// does each connection); `inheritedDescriptor` is a listening socket systemd passed.
    package init(
        _ settings: Settings, service: CredentialsFetcherService, policy: @escaping @Sendable () -> PeerPolicy,
        inheritedDescriptor: Int32?, logger: Logger
    ) throws {
        shares = ConnectionShares(settings.connections)
        var socket = GRPCSocketServer<PeerCredentials?>.Settings(socketPath: settings.socketPath)
        socket.socketMode = settings.socketMode
        socket.inheritedDescriptor = inheritedDescriptor
        socket.limits = settings.limits
        let admission = ECSConnectionAdmission(
            shares: shares, refused: ConnectionLimit(maximum: settings.maximumRefusedConnections), policy: policy,
            refusals: ConnectionRefusalLog(logger: logger, socket: settings.socketPath))
        server = try GRPCSocketServer(socket, routes: ECSRoutes.table(service), admit: admission.admit)
        // Made at start, so that a lease's own directory is one exclusive mkdir in it; 0711: its lease ids cannot be listed.
        try FileManager.default.createDirectory(
            atPath: settings.krbFilesDirectory, withIntermediateDirectories: true,
            attributes: [.posixPermissions: 0o711])
    }

    /// Serves until `shutdown()`.
    package func run() async throws { try await server.run() }

    /// Stops taking connections and lets RPCs in flight finish.
    package func shutdown() { server.shutdown() }

    /// Makes `connection` a gRPC server connection whose every stream is one unary RPC routed by
    /// `routes` for `peer` (the tests drive this pipeline with gRPC clients and with hand-made frames).
    static func serveRPCs(on connection: any Channel, peer: PeerCredentials?, settings: Settings, routes: GRPCRoutes<PeerCredentials?>) throws {
        try GRPCConnection.serve(on: connection, limits: settings.limits, route: routes.bound(to: peer))
    }
}

/// Sorts each accepted connection into its budget, as the API's socket does: an allowed peer
/// into its uid's share, any other into the small budget of refused connections. A connection
/// over its limit is closed at once and the refusal logged, at most one line per interval.
private struct ECSConnectionAdmission: Sendable {
    let shares: ConnectionShares
    let refused: ConnectionLimit
    let policy: @Sendable () -> PeerPolicy
    let refusals: ConnectionRefusalLog

    func admit(_ socketPeer: SocketPeer?) -> GRPCSocketServer<PeerCredentials?>.Admission {
        let peer = socketPeer.map { PeerCredentials(pid: $0.pid, uid: $0.uid, gid: $0.gid) }
        guard let peer, policy().allows(peer) else {
            let refused = self.refused
            guard refused.enter() else { return .close }
            return .admit(peer, leave: { refused.leave() })
        }
        if let over = shares.enter(peer.uid) {
            refusals.record(over)
            Metrics.shared.increment("ccgd_connections_refused_total", ["limit": over.reason])
            return .close
        }
        let shares = self.shares
        return .admit(peer, leave: { shares.leave(peer.uid) })
    }
}
