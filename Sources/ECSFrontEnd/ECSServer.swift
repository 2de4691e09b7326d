import CredentialGuard
import FoundationEssentials
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import Logging
import NIOCore
import SocketAPI
#if canImport(Glibc)
import Glibc
#endif

/// The gRPC server of the ECS front end on its Unix socket (or one systemd passed).
public struct ECSServer: Sendable {
    public struct Settings: Sendable {
        public var socketPath: String
        public var socketMode: mode_t = 0o660
        public var krbFilesDirectory: String
        /// Connections of allowed peers, shared as on the API's socket (the same `[daemon]` keys).
        public var connections = ConnectionLimits()
        /// Connections of peers the allow-list does not name (each RPC of theirs is refused).
        public var maximumRefusedConnections = 16
        /// Concurrent RPCs on one connection, and the largest request: without a bound, one
        /// connection could hold any number of RPCs, each with its request and its answer.
        public var maximumConcurrentRPCs = 16
        public var maximumRequestSize = 1 << 20

        public init(socketPath: String, krbFilesDirectory: String) {
            self.socketPath = socketPath
            self.krbFilesDirectory = krbFilesDirectory
        }
    }

    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let transport: HTTP2ServerTransport.Posix
    private let settings: Settings
    private let inherited: Bool
    /// The allowed peers' connections; its limits are replaced on reload.
    public let shares: ConnectionShares

    /// A server for `service` (which checks each caller against the allow-list, as `policy`
    /// does each connection); `inheritedDescriptor` is a listening socket systemd passed.
    public init(_ settings: Settings, service: CredentialsFetcherService, policy: @escaping @Sendable () -> PeerPolicy,
                inheritedDescriptor: Int32?, logger: Logger) throws {
        let shares = ConnectionShares(settings.connections)
        let admission = ECSConnectionAdmission(
            shares: shares, refused: ConnectionLimit(maximum: settings.maximumRefusedConnections), policy: policy,
            refusals: ConnectionRefusalLog(logger: logger, socket: settings.socketPath))
        let config = HTTP2ServerTransport.Posix.Config.defaults { config in
            config.http2.maxConcurrentStreams = settings.maximumConcurrentRPCs
            config.rpc.maxRequestPayloadSize = settings.maximumRequestSize
            config.channelDebuggingCallbacks = .init(
                onBindTCPListener: nil,
                onAcceptTCPConnection: { connection in admission.admit(connection) },
                onAcceptHTTP2Stream: { stream in PeerIdentity.stamp(stream) })
        }
        if let inheritedDescriptor {
            transport = .http2NIOPosix(listeningSocketDescriptor: Int(inheritedDescriptor), transportSecurity: .plaintext, config: config)
        } else {
            let directory = settings.socketPath.split(separator: "/", omittingEmptySubsequences: false).dropLast().joined(separator: "/")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
            transport = .http2NIOPosix(address: .unixDomainSocket(path: settings.socketPath), transportSecurity: .plaintext, config: config)
        }
        // Made at start, so that a lease's own directory is one exclusive mkdir in it; 0711: its lease ids cannot be listed.
        try FileManager.default.createDirectory(atPath: settings.krbFilesDirectory, withIntermediateDirectories: true,
                                                attributes: [.posixPermissions: 0o711])
        server = GRPCServer(transport: transport, services: [ECSRPCService(service: service)])
        self.settings = settings
        self.inherited = inheritedDescriptor != nil
        self.shares = shares
    }

    /// Serves until `shutdown()`; the socket gets its mode once it is bound.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.serve() }
            if !inherited {
                _ = try await transport.listeningAddress
                chmod(settings.socketPath, settings.socketMode)
            }
            try await group.waitForAll()
        }
    }

    /// Stops taking connections and lets RPCs in flight finish.
    public func shutdown() {
        server.beginGracefulShutdown()
    }
}

/// Sorts each accepted connection into its budget, as the API's socket does: an allowed peer
/// into its uid's share, any other into the small budget of refused connections. gRPC has no
/// cheap way to say why, so a connection over its limit is closed at once (the client sees
/// UNAVAILABLE) and the refusal is logged, at most one line per interval.
private struct ECSConnectionAdmission: Sendable {
    let shares: ConnectionShares
    let refused: ConnectionLimit
    let policy: @Sendable () -> PeerPolicy
    let refusals: ConnectionRefusalLog

    func admit(_ connection: any Channel) -> EventLoopFuture<Void> {
        PeerIdentity.credentials(of: connection).flatMap { (peer: PeerCredentials?) -> EventLoopFuture<Void> in
            guard let leave = slot(for: peer) else { return connection.close() }
            connection.closeFuture.whenComplete { _ in leave() }
            return connection.eventLoop.makeSucceededVoidFuture()
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
