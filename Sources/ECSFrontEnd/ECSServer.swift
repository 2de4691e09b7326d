import FoundationEssentials
import GRPCCore
import GRPCNIOTransportHTTP2Posix
#if canImport(Glibc)
import Glibc
#endif

/// The gRPC server of the ECS front end on its Unix socket (or one systemd passed).
public struct ECSServer: Sendable {
    public struct Settings: Sendable {
        public var socketPath: String
        public var socketMode: mode_t = 0o660
        public var krbFilesDirectory: String

        public init(socketPath: String, krbFilesDirectory: String) {
            self.socketPath = socketPath
            self.krbFilesDirectory = krbFilesDirectory
        }
    }

    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let transport: HTTP2ServerTransport.Posix
    private let settings: Settings
    private let inherited: Bool

    /// A server for `service` (which checks each caller against the allow-list);
    /// `inheritedDescriptor` is a listening socket systemd passed.
    public init(_ settings: Settings, service: CredentialsFetcherService, inheritedDescriptor: Int32?) throws {
        let config = HTTP2ServerTransport.Posix.Config.defaults { config in
            config.channelDebuggingCallbacks = .init(
                onBindTCPListener: nil,
                onAcceptTCPConnection: nil,
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
