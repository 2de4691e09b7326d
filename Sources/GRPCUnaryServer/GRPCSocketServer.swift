import Glibc
import NIOConcurrencyHelpers
import NIOCore
import NIOExtras
import NIOPosix

/// A gRPC server on a Unix socket (or one systemd passed): HTTP/2 over SwiftNIO, each stream one
/// unary RPC routed by `routes` (`GRPCConnection`). Each accepted connection is first shown to
/// `admit` with the kernel's word on its peer (`SocketPeer`): it answers the caller the
/// connection's RPCs run for, or closes it. The front ends (ECS, CSI, the kubelet's plug-in
/// registration) differ only in their routes and their admission.
package final class GRPCSocketServer<Caller: Sendable>: Sendable {
    package struct Settings: Sendable {
        package var socketPath: String
        package var socketMode: mode_t = 0o660
        /// The mode of the socket's directory when it is made (an existing one is left as it is).
        package var directoryMode: mode_t = 0o755
        /// A listening socket systemd passed, used instead of binding `socketPath`.
        package var inheritedDescriptor: Int32?
        package var limits = GRPCConnection.Limits()

        package init(socketPath: String) {
            self.socketPath = socketPath
        }
    }

    /// What becomes of an accepted connection.
    package enum Admission: Sendable {
        /// Its RPCs run for this caller; `leave` (if any) runs once the connection closed.
        case admit(Caller, leave: (@Sendable () -> Void)?)
        /// Closed at once: gRPC has no cheap way to say why (the client sees UNAVAILABLE).
        case close
    }

    package typealias Admit = @Sendable (_ peer: SocketPeer?) -> Admission

    private let settings: Settings
    private let routes: GRPCRoutes<Caller>
    private let admit: Admit
    private let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
    /// Released before the loop stops: the helper completes a promise on it when released.
    private let quiescing: NIOLockedValueBox<ServerQuiescingHelper?>
    /// Whether the socket is bound and a stop was asked for; the stop begins once both are true.
    private let lifecycle = NIOLockedValueBox((bound: false, stopping: false, done: EventLoopPromise<Void>?.none))

    package init(_ settings: Settings, routes: GRPCRoutes<Caller>, admit: @escaping Admit) throws {
        self.settings = settings
        self.routes = routes
        self.admit = admit
        quiescing = NIOLockedValueBox(ServerQuiescingHelper(group: group))
        if settings.inheritedDescriptor == nil {
            try Self.makeDirectory(of: settings.socketPath, mode: settings.directoryMode)
        }
    }

    /// Serves until `shutdown()`; the socket gets its mode once it is bound, and is removed
    /// when the server stops (unless systemd passed it).
    package func run() async throws {
        guard let quiescer = quiescing.withLockedValue({ $0 }) else { return }
        let (settings, routes, admit) = (self.settings, self.routes, self.admit)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(quiescer.makeServerChannelHandler(channel: channel))
                }
            }
            .childChannelInitializer { connection in
                SocketPeer.of(connection).flatMapThrowing { peer in
                    guard case let .admit(caller, leave) = admit(peer) else {
                        connection.close(promise: nil)
                        throw Closed()
                    }
                    if let leave { connection.closeFuture.whenComplete { _ in leave() } }
                    try GRPCConnection.serve(on: connection, limits: settings.limits, route: routes.bound(to: caller))
                }
            }
        let channel: Channel
        if let inherited = settings.inheritedDescriptor {
            channel = try await bootstrap.withBoundSocket(inherited).get()
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
        if settings.inheritedDescriptor == nil { unlink(settings.socketPath) }
        quiescing.withLockedValue { $0 = nil }
        try? await group.shutdownGracefully()
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

    private struct Closed: Error {}

    /// Makes the socket's directory and its parents when missing.
    private static func makeDirectory(of socketPath: String, mode: mode_t) throws {
        var path = ""
        for component in socketPath.split(separator: "/").dropLast() {
            path += "/" + component
            if mkdir(path, mode) != 0 && errno != EEXIST {
                throw SocketDirectoryError(path: path, reason: String(cString: strerror(errno)))
            }
        }
    }
}

/// The directory of a server's socket cannot be made.
package struct SocketDirectoryError: Error, CustomStringConvertible {
    package let path: String
    package let reason: String
    package var description: String { "cannot create \(path) for the socket (\(reason)); create it or choose another socket path" }
}
