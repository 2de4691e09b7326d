import NIOCore
import NIOHTTP1
import Observability
import LeaseService

/// One connection: refuses a peer the policy does not allow (or one over its connection
/// limit) as soon as its request head arrives, collects each allowed request's body up to the
/// limit, hands the request to the router off the event loop, and writes the answer. A request
/// is taken up only while the peer takes its answers (back-pressure).
final class APIChannelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Why a connection was sorted into the refused budget when it was accepted.
    enum Refusal: Equatable {
        case notAllowed
        case overLimit(ConnectionRefusal)
    }

    private let router: APIRouter
    private let policy: PeerPolicyBox
    private let refusals: ConnectionRefusalLog
    private let maximumBodySize: Int
    private let requestDeadline: TimeAmount

    /// From SO_PEERCRED when the connection was accepted.
    private let peer: PeerCredentials?
    /// Set when the connection was refused as it was accepted: a refused connection stays refused.
    private let refusal: Refusal?
    private var head: HTTPRequestHead?
    private var body = ByteBuffer()
    /// Set once an answer was sent early (403, 413, 429): the rest of the request is ignored.
    private var discarding = false
    private var deadline: Scheduled<Void>?
    /// A whole request that waits until the peer has taken enough of the previous answer.
    private var waiting: (head: HTTPRequestHead, peer: PeerCredentials)?

    init(
        router: APIRouter, policy: PeerPolicyBox, peer: PeerCredentials?, refusal: Refusal?, refusals: ConnectionRefusalLog,
        maximumBodySize: Int, requestDeadline: TimeAmount
    ) {
        self.router = router
        self.policy = policy
        self.refusals = refusals
        self.peer = peer
        self.refusal = refusal
        self.maximumBodySize = maximumBodySize
        self.requestDeadline = requestDeadline
    }

    func channelActive(context: ChannelHandlerContext) {
        // The clock runs from the start: a client trickling its head is cut off too.
        armDeadline(context: context)
        context.fireChannelActive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
    }

    /// Closes the connection unless the peer takes the answer and a whole request arrives within the deadline.
    private func armDeadline(context: ChannelHandlerContext) {
        deadline?.cancel()
        let channel = context.channel
        deadline = context.eventLoop.scheduleTask(in: requestDeadline) { channel.close(promise: nil) }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .head(requestHead):
            guard !discarding else { return }
            if case let .overLimit(over) = refusal {
                refuse(.error(.connectionsExceeded, over.description), context: context)
                return
            }
            guard let peer, refusal == nil, policy.policy.allows(peer) else {
                forbidden(context: context)
                return
            }
            head = requestHead
            body.clear()
            if let length = requestHead.headers.first(name: "content-length").flatMap(Int.init), length > maximumBodySize {
                tooLarge(context: context)
            }
        case var .body(part):
            guard !discarding else { return }
            if body.readableBytes + part.readableBytes > maximumBodySize {
                tooLarge(context: context)
                return
            }
            body.writeBuffer(&part)
        case .end:
            guard !discarding, let head, let peer else { return }
            self.head = nil
            // While the peer leaves more than the high-water mark of answers unread, its next
            // request waits (and, with it, every read: HTTPServerPipelineHandler reads no more
            // while a request is unanswered), its deadline still running: the requests it
            // pipelines stay in the kernel's socket buffer, not in ccgd's memory.
            if context.channel.isWritable {
                takeUp(head, peer: peer, context: context)
            } else {
                waiting = (head, peer)
            }
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable, let (head, peer) = waiting {
            waiting = nil
            takeUp(head, peer: peer, context: context)
        }
        context.fireChannelWritabilityChanged()
    }

    private func takeUp(_ head: HTTPRequestHead, peer: PeerCredentials, context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        respond(to: head, peer: peer, context: context)
    }

    /// A peer the policy does not allow: answered at once, its body never read, then closed.
    private func forbidden(context: ChannelHandlerContext) {
        Self.forbidden(peer, answered: true, refusals: refusals, metrics: router.metrics)
        let who = peer.map { "uid \($0.uid), gid \($0.gid)" } ?? "an unidentified peer"
        refuse(
            .error(.forbidden, "\(who) may not use ccgd; add it to allowed-uids or allowed-gids in [daemon] of ccgd.conf."),
            context: context)
    }

    /// Counts and logs (rate-limited) a connection of a peer that is not allowed.
    static func forbidden(_ peer: PeerCredentials?, answered: Bool, refusals: ConnectionRefusalLog, metrics: Metrics) {
        metrics.increment("ccgd_connections_forbidden_total")
        refusals.recordForbidden(peer, answered: answered)
    }

    /// Answers `response` at once, never reads the body, then closes.
    private func refuse(_ response: APIResponse, context: ChannelHandlerContext) {
        discarding = true
        deadline?.cancel()
        write(response, keepAlive: false, context: context)
    }

    private func respond(to head: HTTPRequestHead, peer: PeerCredentials, context: ChannelHandlerContext) {
        let request = APIRequest(method: head.method, path: head.uri, body: Array(body.readableBytesView), peer: peer)
        body.clear()
        let router = self.router
        let policy = self.policy.policy
        let promise = context.eventLoop.makePromise(of: APIResponse.self)
        promise.completeWithTask { await router.handle(request, policy: policy) }
        let bound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        promise.futureResult.whenSuccess { response in
            let (handler, context) = bound.value
            handler.write(response, keepAlive: head.isKeepAlive, context: context) { delivered in
                // A lease nobody was told of would live for ever: its creator gave up or died.
                if !delivered, let id = response.createdLease { Task { await router.abandon(id) } }
            }
        }
    }

    private func tooLarge(context: ChannelHandlerContext) {
        refuse(
            .error(.payloadTooLarge, "the request body is larger than \(maximumBodySize) bytes; a CredSpec is a few kilobytes."),
            context: context)
    }

    /// Writes `response`; `delivered` learns whether it reached the socket (false: the peer was gone).
    private func write(
        _ response: APIResponse, keepAlive: Bool, context: ChannelHandlerContext,
        delivered: (@Sendable (Bool) -> Void)? = nil
    ) {
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: response.contentType)
        headers.add(name: "content-length", value: String(response.body.count))
        headers.add(name: "connection", value: keepAlive ? "keep-alive" : "close")
        if let allow = response.allow { headers.add(name: "allow", value: allow.map(\.rawValue).joined(separator: ", ")) }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: response.status, headers: headers))), promise: nil)
        if !response.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: response.body)))), promise: nil)
        }
        // The clock starts again as this answer ends: the peer must take it (and send its next
        // request) in time, so one that reads nothing cannot hold its slot. Armed before the end
        // is written, because writing it releases a pipelined request that may already be waiting.
        armDeadline(context: context)
        let done = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: done)
        if let delivered {
            done.futureResult.whenComplete { result in
                if case .success = result { delivered(true) } else { delivered(false) }
            }
        }
        if !keepAlive {
            let channel = context.channel
            done.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        // An idle connection (no bytes for the idle timeout) is closed to free its slot.
        if event is IdleStateHandler.IdleStateEvent { context.close(promise: nil) } else { context.fireUserInboundEventTriggered(event) }
    }

    func errorCaught(context: ChannelHandlerContext, error: Error) {
        context.close(promise: nil)
    }
}
