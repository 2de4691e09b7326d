import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import LeaseService

/// `GET /metrics` on a TCP port (`[metrics] listen`), for a Prometheus that scrapes over the
/// network as its node setups expect: that route only, no peer credentials to check, a small
/// connection budget of its own. Off unless configured; loopback unless an address is given.
package final class MetricsListener: Sendable {
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    /// Where it listens (the port the kernel chose when asked for 0).
    package let address: String

    private init(group: MultiThreadedEventLoopGroup, channel: Channel, address: String) {
        self.group = group
        self.channel = channel
        self.address = address
    }

    package static func start(
        host: String, port: Int, router: APIRouter, logger: Logger,
        maximumConnections: Int = 16
    ) async throws -> MetricsListener {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let connections = ConnectionLimit(maximum: maximumConnections)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                guard connections.enter() else { return channel.close() }
                channel.closeFuture.whenComplete { _ in connections.leave() }
                return channel.eventLoop.makeCompletedFuture {
                    let pipeline = channel.pipeline.syncOperations
                    // A scraper asks and goes: an idle connection is closed soon.
                    try pipeline.addHandler(IdleStateHandler(readTimeout: .seconds(10)))
                    try pipeline.configureHTTPServerPipeline(withErrorHandling: true)
                    try pipeline.addHandler(MetricsHandler(router: router))
                }
            }
        let channel: Channel
        do { channel = try await bootstrap.bind(host: host, port: port).get() } catch {
            try? await group.shutdownGracefully()
            throw MetricsListenerError(endpoint: host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)", reason: "\(error)")
        }
        let bound =
            channel.localAddress.map { address in
                let ip = address.ipAddress ?? host
                return ip.contains(":") ? "[\(ip)]:\(address.port ?? port)" : "\(ip):\(address.port ?? port)"
            } ?? "\(host):\(port)"
        logger.info("serving metrics", metadata: ["listen": "\(bound)", "route": "/metrics"])
        return MetricsListener(group: group, channel: channel, address: bound)
    }

    package func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// Why the metrics listener could not start.
package struct MetricsListenerError: Error, CustomStringConvertible {
    let endpoint: String
    let reason: String

    package var description: String {
        "cannot serve metrics on \(endpoint): \(reason); choose a free port (and an address of this host) in [metrics] listen, or leave it empty."
    }
}

/// Answers `GET /metrics`; anything else gets a 404 that says so.
private final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let router: APIRouter
    private var head: HTTPRequestHead?

    init(router: APIRouter) {
        self.router = router
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(requestHead): head = requestHead
        case .body: break
        case .end:
            guard let head else { return }
            self.head = nil
            let path = head.uri.split(separator: "?", maxSplits: 1).first.map(String.init) ?? head.uri
            guard head.method == .GET || head.method == .HEAD, path == "/metrics" else {
                write(
                    status: .notFound, contentType: "text/plain", body: Array("only GET /metrics is served here; the API is on ccgd's Unix socket.\n".utf8),
                    keepAlive: head.isKeepAlive, context: context)
                return
            }
            let router = self.router
            let promise = context.eventLoop.makePromise(of: APIResponse.self)
            promise.completeWithTask { await router.metricsResponse() }
            let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            promise.futureResult.whenSuccess { response in
                let (handler, context) = bound.value
                handler.write(
                    status: .ok, contentType: response.contentType, body: head.method == .HEAD ? [] : response.body,
                    keepAlive: head.isKeepAlive, context: context)
            }
        }
    }

    private func write(status: HTTPResponseStatus, contentType: String, body: [UInt8], keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: contentType)
        headers.add(name: "content-length", value: String(body.count))
        headers.add(name: "connection", value: keepAlive ? "keep-alive" : "close")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        if !body.isEmpty { context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil) }
        let done = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        if !keepAlive {
            let channel = context.channel
            done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) } else { context.fireUserInboundEventTriggered(event) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
