#if canImport(Glibc)
import Glibc
#endif
import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP/1.1 client for ccgd's Unix socket, for `ccgctl` and the tests: one request
/// per connection, the whole answer in memory.
package struct APIClient: Sendable {
    package let socketPath: String

    package init(socketPath: String) {
        self.socketPath = socketPath
    }

    package struct Response: Sendable {
        package let status: Int
        package let body: [UInt8]
        package var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Why no answer came, without a Swift signature: callers word their own advice around it.
    package struct Failure: Error, CustomStringConvertible {
        package enum Reason: Sendable, Equatable {
            /// No file at the socket's path.
            case noSocket
            /// A socket file nobody listens on (a ccgd that stopped and left it).
            case nobodyListening
            /// The caller may not use the socket (its mode and group).
            case permissionDenied
            /// Its accept queue stayed full.
            case busy
            /// The connection closed before a whole answer.
            case closedEarly
            /// Anything else, as the system says it.
            case other(String)
        }

        package let socketPath: String
        package let reason: Reason

        /// "no such socket", "nothing listens on it", …: what went wrong, after the path.
        package var cause: String {
            switch reason {
            case .noSocket: "no such socket"
            case .nobodyListening: "nothing listens on it (a ccgd that stopped may have left the socket file)"
            case .permissionDenied: "permission denied (the socket's mode and group decide who may connect)"
            case .busy: "it accepts no connection (its queue stays full)"
            case .closedEarly: "ccgd closed the connection before answering"
            case let .other(text): text
            }
        }

        package var description: String { "cannot reach ccgd at \(socketPath): \(cause)." }

        static func connecting(to path: String, _ error: Error) -> Failure {
            guard let error = error as? IOError else {
                if error is SocketAddressError { return Failure(socketPath: path, reason: .other("the path is too long for a Unix socket")) }
                return Failure(socketPath: path, reason: .other("\(error)"))
            }
            switch error.errnoCode {
            case ENOENT, ENOTDIR: return Failure(socketPath: path, reason: .noSocket)
            case ECONNREFUSED: return Failure(socketPath: path, reason: .nobodyListening)
            case EACCES, EPERM: return Failure(socketPath: path, reason: .permissionDenied)
            default: return Failure(socketPath: path, reason: .other(String(cString: strerror(error.errnoCode))))
            }
        }
    }

    /// Sends `method path` with an optional JSON body and returns the answer.
    package func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil) async throws -> Response {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: Response.self)
        var channel: Channel?
        // A full accept queue (EAGAIN) is momentary: try again for a little while.
        for attempt in 0..<40 {
            do {
                let path = socketPath
                channel = try await ClientBootstrap(group: group)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHTTPClientHandlers()
                            try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise, socketPath: path))
                        }
                    }
                    .connect(unixDomainSocketPath: socketPath).get()
                break
            } catch let error as IOError where error.errnoCode == EAGAIN && attempt < 39 {
                try await Task.sleep(for: .milliseconds(50))
            } catch {
                promise.fail(error)
                throw Failure.connecting(to: socketPath, error)
            }
        }
        guard let channel else {
            let busy = Failure(socketPath: socketPath, reason: .busy)
            promise.fail(busy)
            throw busy
        }
        var headers = HTTPHeaders()
        headers.add(name: "host", value: "ccgd")
        headers.add(name: "connection", value: "close")
        if let body {
            headers.add(name: "content-type", value: "application/json")
            headers.add(name: "content-length", value: String(body.count))
        }
        let head = HTTPRequestHead(version: .http1_1, method: method, uri: path, headers: headers)
        channel.write(HTTPClientRequestPart.head(head), promise: nil)
        if let body { channel.write(HTTPClientRequestPart.body(.byteBuffer(channel.allocator.buffer(bytes: body))), promise: nil) }
        channel.writeAndFlush(HTTPClientRequestPart.end(nil), promise: nil)
        defer { channel.close(promise: nil) }
        return try await promise.futureResult.get()
    }
}

private final class ResponseCollector: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPClientResponsePart

    private let promise: EventLoopPromise<APIClient.Response>
    private let socketPath: String
    private var status = 0
    private var body: [UInt8] = []

    init(promise: EventLoopPromise<APIClient.Response>, socketPath: String) {
        self.promise = promise
        self.socketPath = socketPath
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head): status = Int(head.status.code)
        case let .body(buffer): body += buffer.readableBytesView
        case .end: promise.succeed(APIClient.Response(status: status, body: body))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(APIClient.Failure(socketPath: socketPath, reason: .closedEarly))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise.fail(APIClient.Failure.connecting(to: socketPath, error))
        context.close(promise: nil)
    }
}
