import NIOCore
import NIOHPACK
import NIOHTTP2

/// One unary RPC on one HTTP/2 stream, as gRPC over HTTP/2 frames it (grpc/doc/PROTOCOL-HTTP2.md):
/// the request's headers (`:path` names the method), one length-prefixed message, the end of the
/// stream; the answer's headers, its message and trailers with `grpc-status`, or trailers alone
/// for a failure. The handler runs in a task of its own, cancelled when the client resets the
/// stream, the connection goes, or the request's `grpc-timeout` passes. Who called is not its
/// business: the route it is given is already bound to the connection's caller (`GRPCRoutes`).
package final class GRPCStreamHandler: ChannelInboundHandler {
    package typealias InboundIn = HTTP2Frame.FramePayload
    package typealias OutboundOut = HTTP2Frame.FramePayload

    /// The method's work: the request's message bytes to the answer's message bytes; an
    /// `RPCStatus` thrown is the call's status, any other error INTERNAL.
    package typealias Method = @Sendable (_ request: [UInt8]) async throws -> [UInt8]
    /// The method a `:path` names, or nil (UNIMPLEMENTED).
    package typealias Route = @Sendable (_ path: String) -> Method?

    private let route: Route
    private let maximumMessageSize: Int

    private enum State {
        case awaitingHead
        case receiving(Method, deadline: TimeAmount?)
        case running
        case answered
    }

    private var state = State.awaitingHead
    private var body: ByteBuffer?
    private var task: Task<Void, Never>?
    private var deadlineTimer: Scheduled<Void>?

    package init(route: @escaping Route, maximumMessageSize: Int) {
        self.route = route
        self.maximumMessageSize = maximumMessageSize
    }

    package func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case let .headers(headers):
            if case .awaitingHead = state {
                head(headers.headers, context: context)
            }
            // Trailers from a client end the request like the end of its data.
            if headers.endStream { requestEnded(context: context) }
        case let .data(data):
            guard case .receiving = state, case let .byteBuffer(bytes) = data.data else { return }
            if bytes.readableBytes + (body?.readableBytes ?? 0) > maximumMessageSize + 5 {
                answer(
                    .failure(RPCStatus(code: .resourceExhausted, message: "the request is larger than \(maximumMessageSize) bytes; send a smaller one.")),
                    context: context)
                return
            }
            if body == nil { body = bytes } else { body!.writeImmutableBuffer(bytes) }
            if data.endStream { requestEnded(context: context) }
        case .rstStream:
            // The client gave up (its deadline, a cancelled call): the work stops, nothing is answered.
            task?.cancel()
            state = .answered
        default:
            break
        }
    }

    package func channelInactive(context: ChannelHandlerContext) {
        task?.cancel()
        deadlineTimer?.cancel()
        context.fireChannelInactive()
    }

    package func errorCaught(context: ChannelHandlerContext, error: Error) {
        task?.cancel()
        context.close(promise: nil)
    }

    private func head(_ headers: HPACKHeaders, context: ChannelHandlerContext) {
        guard headers.first(name: ":method") == "POST" else {
            return refuse(httpStatus: "405", context: context)
        }
        guard let type = headers.first(name: "content-type"), type.hasPrefix("application/grpc") else {
            return refuse(httpStatus: "415", context: context)
        }
        let path = headers.first(name: ":path") ?? ""
        guard let method = route(path) else {
            return answer(.failure(RPCStatus(code: .unimplemented, message: "ccgd serves no method \(path)")), context: context)
        }
        let deadline = headers.first(name: "grpc-timeout").flatMap(Self.timeout)
        state = .receiving(method, deadline: deadline)
        if let deadline {
            deadlineTimer = context.eventLoop.assumeIsolated().scheduleTask(in: deadline) { [self] in
                task?.cancel()
                answer(.failure(RPCStatus(code: .deadlineExceeded, message: "the call's deadline passed before ccgd answered")), context: context)
            }
        }
    }

    private func requestEnded(context: ChannelHandlerContext) {
        guard case let .receiving(method, _) = state else { return }
        state = .running
        let message: [UInt8]
        do { message = try Self.message(in: body ?? ByteBuffer()) } catch {
            return answer(.failure(error), context: context)
        }
        body = nil
        let loop = context.eventLoop
        let context = NIOLoopBound(context, eventLoop: loop)
        let handler = NIOLoopBound(self, eventLoop: loop)
        task = Task {
            let result: Result<[UInt8], RPCStatus>
            do { result = .success(try await method(message)) } catch let status as RPCStatus {
                result = .failure(status)
            } catch {
                result = .failure(RPCStatus(code: .internalError, message: "\(error)"))
            }
            loop.execute { handler.value.answer(result, context: context.value) }
        }
    }

    /// The one message of a unary request (`GRPCMessageFrame`); a compressed one is UNIMPLEMENTED
    /// (no `grpc-encoding` is offered), any other framing fault INTERNAL, as gRPC's servers answer.
    package static func message(in buffer: ByteBuffer) throws(RPCStatus) -> [UInt8] {
        do { return Array(try GRPCMessageFrame.unaryMessage(in: Array(buffer.readableBytesView))) } catch {
            throw RPCStatus(code: error == .compressed ? .unimplemented : .internalError, message: error.description)
        }
    }

    /// `grpc-timeout`: at most 8 digits and a unit (H, M, S, m, u, n).
    package static func timeout(_ text: String) -> TimeAmount? {
        guard let unit = text.last, let value = Int64(text.dropLast()), value >= 0, text.count <= 9 else { return nil }
        switch unit {
        case "H": return .hours(value)
        case "M": return .minutes(value)
        case "S": return .seconds(value)
        case "m": return .milliseconds(value)
        case "u": return .microseconds(value)
        case "n": return .nanoseconds(value)
        default: return nil
        }
    }

    private func answer(_ result: Result<[UInt8], RPCStatus>, context: ChannelHandlerContext) {
        if case .answered = state { return }
        state = .answered
        deadlineTimer?.cancel()
        var headers: HPACKHeaders = [":status": "200", "content-type": "application/grpc"]
        switch result {
        case let .success(message):
            context.write(wrapOutboundOut(.headers(.init(headers: headers))), promise: nil)
            let buffer = context.channel.allocator.buffer(bytes: GRPCMessageFrame.framed(message))
            context.write(wrapOutboundOut(.data(.init(data: .byteBuffer(buffer)))), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: ["grpc-status": "0"], endStream: true))), promise: nil)
        case let .failure(status):
            // Trailers only: the status in the one HEADERS frame that ends the stream.
            headers.add(name: "grpc-status", value: String(status.code.rawValue))
            headers.add(name: "grpc-message", value: status.encodedMessage)
            context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: headers, endStream: true))), promise: nil)
        }
    }

    /// Not a gRPC request at all: an HTTP status, and the stream ends.
    private func refuse(httpStatus: String, context: ChannelHandlerContext) {
        state = .answered
        context.writeAndFlush(wrapOutboundOut(.headers(.init(headers: [":status": httpStatus], endStream: true))), promise: nil)
    }
}
