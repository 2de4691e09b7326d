import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP/1.1 client for ccgd's Unix socket, for `ccgctl` and the tests: one request
/// per connection, the whole answer in memory.
public struct APIClient: Sendable {
    public let socketPath: String

    public init(socketPath: String) {
        self.socketPath = socketPath
    }

    public struct Response: Sendable {
        public let status: Int
        public let body: [UInt8]
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    public struct Failure: Error, CustomStringConvertible {
        public let description: String
    }

    /// Sends `method path` with an optional JSON body and returns the answer.
    public func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil) async throws -> Response {
        let group = MultiThreadedEventLoopGroup.singleton
        let promise = group.next().makePromise(of: Response.self)
        var channel: Channel?
        // A full accept queue (EAGAIN) is momentary: try again for a little while.
        for attempt in 0..<40 {
            do {
                channel = try await ClientBootstrap(group: group)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            try channel.pipeline.syncOperations.addHTTPClientHandlers()
                            try channel.pipeline.syncOperations.addHandler(ResponseCollector(promise: promise))
                        }
                    }
                    .connect(unixDomainSocketPath: socketPath).get()
                break
            } catch let error as IOError where error.errnoCode == EAGAIN && attempt < 39 {
                try await Task.sleep(for: .milliseconds(50))
            } catch {
                promise.fail(error)
                throw Failure(description: "cannot connect to ccgd at \(socketPath) (\(error)); is ccgd running, and may you use its socket?")
            }
        }
        guard let channel else {
            promise.fail(Failure(description: "no connection"))
            throw Failure(description: "ccgd at \(socketPath) accepts no connection (its queue stays full); retry later.")
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
    private var status = 0
    private var body: [UInt8] = []

    init(promise: EventLoopPromise<APIClient.Response>) {
        self.promise = promise
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(head): status = Int(head.status.code)
        case let .body(buffer): body += buffer.readableBytesView
        case .end: promise.succeed(APIClient.Response(status: status, body: body))
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise.fail(APIClient.Failure(description: "ccgd closed the connection before answering"))
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        promise.fail(error)
        context.close(promise: nil)
    }
}
