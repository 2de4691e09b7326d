import CredentialsFetcherProtocol
import CredentialsFetcherWire
@testable import ECSFrontEnd
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import GRPCProtobuf
import GRPCUnaryServer
import LeaseService
import NIOCore
import NIOHPACK
import NIOHTTP2
import NIOPosix
import SwiftProtobuf
import TestSupport
import XCTest

/// ccgd's own gRPC framing and protobuf messages against clients that are not ccgd's: grpc-swift
/// with swift-protobuf's generated messages, and hand-made HTTP/2 frames for what no well-behaved
/// client sends. The server is the ECS front end's connection pipeline (`ECSServer.serveRPCs`)
/// with a route that answers what it read, so that each answer shows what ccgd decoded. (Python's
/// grpcio drives the same server with every RPC in ECSIntegrationTests.)
final class GRPCWireTests: XCTestCase {
    private var scratch: TemporaryDirectory?
    private var directory: String { scratch?.path ?? "" }
    private var socket = ""
    private var group: MultiThreadedEventLoopGroup!
    private var server: Channel!
    private static let maximumRequestSize = 4096

    override func setUp() async throws {
        scratch = try TemporaryDirectory("grpc-wire")
        socket = directory + "/ecs.sock"
        group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        var configured = ECSServer.Settings(socketPath: socket, krbFilesDirectory: directory + "/krb")
        configured.maximumRequestSize = Self.maximumRequestSize
        let settings = configured
        server = try await ServerBootstrap(group: group)
            .childChannelInitializer { connection in
                connection.eventLoop.makeCompletedFuture {
                    try ECSServer.serveRPCs(on: connection, peer: nil, settings: settings, routes: Self.echo)
                }
            }
            .bind(unixDomainSocketPath: socket).get()
    }

    override func tearDown() async throws {
        try await server?.close()
        try await group?.shutdownGracefully()
        scratch?.remove()
    }

    /// Answers what the request held, read by ccgd's decoders: the lease id is the username, the
    /// paths the CredSpecs, the domain and the password's length; a health check's status is its service.
    static let echo = GRPCRoutes<PeerCredentials?>(
        service: ECSRoutes.serviceName,
        [
            "AddNonDomainJoinedKerberosLease": { bytes, _ in
                let request: CreateNonDomainJoinedKerberosLeaseRequest = try ECSRoutes.read(bytes)
                return CreateKerberosLeaseResponse(
                    leaseID: request.username,
                    createdKerberosFilePaths: request.credspecContents + [request.domain, "\(request.password.count)"]
                ).encoded()
            },
            "HealthCheck": { bytes, _ in
                let request: HealthCheckRequest = try ECSRoutes.read(bytes)
                // Long enough for many calls to be in flight on one connection at once.
                try await Task.sleep(for: .milliseconds(20))
                return HealthCheckResponse(status: request.service).encoded()
            },
        ])

    // MARK: - grpc-swift

    private typealias AddMethod = Credentialsfetcher_CredentialsFetcherService.Method.AddNonDomainJoinedKerberosLease
    private typealias HealthMethod = Credentialsfetcher_CredentialsFetcherService.Method.HealthCheck

    private func withClient(_ body: (GRPCClient<HTTP2ClientTransport.Posix>) async throws -> Void) async throws {
        let client = GRPCClient(transport: try .http2NIOPosix(target: .unixDomainSocket(path: socket), transportSecurity: .plaintext))
        let connections = Task { try await client.runConnections() }
        do { try await body(client) } catch {
            client.beginGracefulShutdown()
            _ = try? await connections.value
            throw error
        }
        client.beginGracefulShutdown()
        try await connections.value
    }

    private static func add(_ request: AddMethod.Input, with client: GRPCClient<HTTP2ClientTransport.Posix>) async throws -> AddMethod.Output {
        try await client.unary(
            request: ClientRequest(message: request), descriptor: AddMethod.descriptor,
            serializer: ProtobufSerializer<AddMethod.Input>(), deserializer: ProtobufDeserializer<AddMethod.Output>(),
            options: .defaults
        ) { try $0.message }
    }

    private static func health(_ service: String, with client: GRPCClient<HTTP2ClientTransport.Posix>) async throws -> String {
        var request = HealthMethod.Input()
        request.service = service
        return try await client.unary(
            request: ClientRequest(message: request), descriptor: HealthMethod.descriptor,
            serializer: ProtobufSerializer<HealthMethod.Input>(), deserializer: ProtobufDeserializer<HealthMethod.Output>(),
            options: .defaults
        ) { try $0.message.status }
    }

    /// Every field of a request, empty and non-ASCII strings and empty elements of a repeated
    /// field included, read by ccgd as grpc-swift and swift-protobuf wrote them, and ccgd's answer
    /// read by them.
    func testGRPCSwiftsRequestsAreReadFieldForFieldAndItReadsTheAnswers() async throws {
        try await withClient { client in
            var request = AddMethod.Input()
            request.credspecContents = [#"{"a": "ä€😀"}"#, "", String(repeating: "x", count: 300)]
            request.username = "StandardUser01"
            request.password = "pässword"
            request.domain = "contoso.test"
            let answer = try await Self.add(request, with: client)
            XCTAssertEqual(answer.leaseID, "StandardUser01")
            XCTAssertEqual(answer.createdKerberosFilePaths, request.credspecContents + ["contoso.test", "\(Array("pässword".utf8).count)"])
            // An empty message both ways (proto3 leaves empty strings out).
            let empty = try await Self.health("", with: client)
            XCTAssertEqual(empty, "")
        }
    }

    /// Fields this version of the protocol does not have, of every wire type, are read past, as a
    /// newer agent's would be; the fields ccgd knows are still read.
    func testUnknownFieldsOfEveryWireTypeFromANewerClientAreSkipped() async throws {
        try await withClient { client in
            var request = AddMethod.Input()
            request.username = "StandardUser01"
            request.domain = "contoso.test"
            // field 9 varint, field 10 fixed64, field 11 fixed32, field 12 a string: kept by
            // swift-protobuf as unknown fields and sent as they are.
            try request.merge(serializedBytes: [0x48, 0xAC, 0x02, 0x51, 1, 2, 3, 4, 5, 6, 7, 8, 0x5D, 1, 2, 3, 4, 0x62, 2, 0x68, 0x69] as [UInt8])
            XCTAssertFalse(request.unknownFields.data.isEmpty)
            let answer = try await Self.add(request, with: client)
            XCTAssertEqual(answer.leaseID, "StandardUser01")
            XCTAssertEqual(answer.createdKerberosFilePaths, ["contoso.test", "0"])
        }
    }

    /// A method ccgd does not serve is UNIMPLEMENTED to grpc-swift.
    func testAnUnknownMethodIsUnimplemented() async throws {
        try await withClient { client in
            typealias Arn = Credentialsfetcher_CredentialsFetcherService.Method.AddKerberosArnLease
            do {
                _ = try await client.unary(
                    request: ClientRequest(message: Arn.Input()), descriptor: Arn.descriptor,
                    serializer: ProtobufSerializer<Arn.Input>(), deserializer: ProtobufDeserializer<Arn.Output>(),
                    options: .defaults
                ) { try $0.message }
                XCTFail("an unrouted method answered")
            } catch let error as RPCError {
                XCTAssertEqual(error.code, .unimplemented, "\(error)")
            }
        }
    }

    /// Many calls at once on one connection, more than the 16 streams ccgd allows at a time: every
    /// one is answered, each with its own request's field.
    func testManyConcurrentCallsOnOneConnectionEachGetTheirOwnAnswer() async throws {
        try await withClient { client in
            let answers = try await withThrowingTaskGroup(of: (Int, String).self) { calls in
                for index in 0..<100 {
                    calls.addTask { (index, try await Self.health("service-\(index)", with: client)) }
                }
                return try await calls.reduce(into: [Int: String]()) { $0[$1.0] = $1.1 }
            }
            XCTAssertEqual(answers.count, 100)
            for (index, status) in answers { XCTAssertEqual(status, "service-\(index)") }
        }
    }

    // MARK: - Hand-made frames

    private static let addPath = ECSRoutes.service + "AddNonDomainJoinedKerberosLease"
    private static let healthPath = ECSRoutes.service + "HealthCheck"

    /// A string field: key (number << 3 | 2), length, bytes.
    private static func field(_ number: UInt8, _ text: String) -> [UInt8] {
        [number << 3 | 2, UInt8(text.utf8.count)] + Array(text.utf8)
    }

    /// A message that gRPC's framing does not carry as one uncompressed message: refused with
    /// gRPC's status for it, never served from part of what came.
    func testFramingFaultsAreRefusedWithTheirStatus() async throws {
        let message = Self.field(1, "ok")
        let cases: [(String, [[UInt8]], RPCStatus.Code)] = [
            ("compressed flag", [[1, 0, 0, 0, 4] + message], .unimplemented),
            ("prefix says more than came", [[0, 0, 0, 0, 9] + message], .internalError),
            ("prefix says less than came", [[0, 0, 0, 0, 2] + message], .internalError),
            ("two messages in one unary call", [[0, 0, 0, 0, 4] + message + [0, 0, 0, 0, 4] + message], .internalError),
            ("a prefix of 4 GB and four bytes", [[0, 0xFF, 0xFF, 0xFF, 0xFF] + message], .internalError),
            ("half a prefix", [[0, 0, 0]], .internalError),
            ("no data at all", [], .internalError),
        ]
        let connection = try await RawConnection(socket: socket, group: group)
        for (name, data, code) in cases {
            let answer = try await connection.call(path: Self.healthPath, data: data)
            XCTAssertEqual(answer.status, code.rawValue, "\(name): \(answer)")
            XCTAssertTrue(answer.data.isEmpty, "\(name): a refused call has no answer message")
        }
        // The connection still serves a well-formed call afterwards.
        let good = try await connection.call(path: Self.healthPath, data: [GRPCMessageFrame.framed(message)])
        XCTAssertEqual(good.status, 0, "\(good)")
        XCTAssertEqual(good.data, GRPCMessageFrame.framed(HealthCheckResponse(status: "ok").encoded()))
        try await connection.close()
    }

    /// A request larger than the limit is RESOURCE_EXHAUSTED as soon as its data passes it, in
    /// one frame or in many, and what followed is not buffered.
    func testAnOversizedRequestIsRefusedInOneFrameOrMany() async throws {
        let big = GRPCMessageFrame.framed(Self.field(1, String(repeating: "x", count: 100)) + [UInt8](repeating: 0x0A, count: Self.maximumRequestSize))
        let connection = try await RawConnection(socket: socket, group: group)
        for frames in [[big], stride(from: 0, to: big.count, by: 512).map { Array(big[$0..<min($0 + 512, big.count)]) }] {
            let answer = try await connection.call(path: Self.healthPath, data: frames)
            XCTAssertEqual(answer.status, RPCStatus.Code.resourceExhausted.rawValue, "\(frames.count) frames: \(answer)")
        }
        try await connection.close()
    }

    /// Protobuf faults inside a well-framed message: a known field with another wire type is read
    /// past (as protobuf's own readers treat it: an unknown field), a group (proto2's wire types 3
    /// and 4), a length past the end, a truncated or overlong varint, field number 0 and a string
    /// that is not UTF-8 are INVALID_ARGUMENT.
    func testWireTypeAndFieldFaultsInsideAMessage() async throws {
        let connection = try await RawConnection(socket: socket, group: group)
        // service as a varint, then as a fixed32, then the string: the string is what is read.
        let otherWireTypes: [UInt8] = [0x08, 0x96, 0x01, 0x0D, 1, 2, 3, 4] + Self.field(1, "read")
        let read = try await connection.call(path: Self.healthPath, data: [GRPCMessageFrame.framed(otherWireTypes)])
        XCTAssertEqual(read.status, 0, "\(read)")
        XCTAssertEqual(read.data, GRPCMessageFrame.framed(HealthCheckResponse(status: "read").encoded()))
        let broken: [(String, [UInt8])] = [
            ("start group", [0x0B, 0x0C]),
            ("end group", [0x0C]),
            ("length past the end", [0x0A, 0x7F, 0x61]),
            ("length of 2^63", [0x0A, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01]),
            ("truncated varint", [0x08, 0x80]),
            ("varint of 11 bytes", [0x08] + [UInt8](repeating: 0x80, count: 10) + [0x01]),
            ("field number 0", [0x02, 0x00]),
            ("string not UTF-8", [0x0A, 0x02, 0xC3, 0x28]),
            ("truncated fixed64", [0x09, 1, 2, 3]),
        ]
        for (name, message) in broken {
            let answer = try await connection.call(path: Self.healthPath, data: [GRPCMessageFrame.framed(message)])
            XCTAssertEqual(answer.status, RPCStatus.Code.invalidArgument.rawValue, "\(name): \(answer)")
            XCTAssertTrue(answer.message.contains("HealthCheckRequest"), "\(name): \(answer.message)")
        }
        // The password field takes any bytes (it is never a String); the others must be UTF-8.
        let password = try await connection.call(path: Self.addPath, data: [GRPCMessageFrame.framed(Self.field(2, "u") + [0x1A, 0x02, 0xC3, 0x28])])
        XCTAssertEqual(password.status, 0, "\(password)")
        try await connection.close()
    }

    /// Not gRPC at all: another method than POST, another content type.
    func testARequestThatIsNotGRPCGetsAnHTTPStatus() async throws {
        let connection = try await RawConnection(socket: socket, group: group)
        let get = try await connection.call(path: Self.healthPath, method: "GET", data: [])
        XCTAssertEqual(get.httpStatus, "405")
        let json = try await connection.call(path: Self.healthPath, contentType: "application/json", data: [[0x7B, 0x7D]])
        XCTAssertEqual(json.httpStatus, "415")
        try await connection.close()
    }
}

/// An HTTP/2 client that sends what it is told, frame by frame, on one connection.
private struct RawConnection {
    struct Answer: Sendable, CustomStringConvertible {
        var httpStatus: String?
        var status: Int?
        var message = ""
        var data: [UInt8] = []
        var description: String { "HTTP \(httpStatus ?? "-") grpc-status \(status.map(String.init) ?? "-") \(message) data \(data.count) B" }
    }

    private let channel: Channel
    private let multiplexer: NIOHTTP2Handler.StreamMultiplexer

    init(socket: String, group: EventLoopGroup) async throws {
        channel = try await ClientBootstrap(group: group)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    _ = try channel.pipeline.syncOperations.configureHTTP2Pipeline(
                        mode: .client, connectionConfiguration: .init(),
                        streamConfiguration: .init()
                    ) { stream in
                        stream.eventLoop.makeSucceededVoidFuture()
                    }
                }
            }
            .connect(unixDomainSocketPath: socket).get()
        let channel = self.channel
        multiplexer = try await channel.eventLoop.submit {
            try channel.pipeline.syncOperations.handler(type: NIOHTTP2Handler.self).syncMultiplexer()
        }.get()
    }

    /// One stream: the request's headers, `data` as one DATA frame each (the last ends the
    /// stream; none: the headers end it), and what came back until the server ended the stream.
    func call(path: String, method: String = "POST", contentType: String = "application/grpc", data: [[UInt8]]) async throws -> Answer {
        let done = channel.eventLoop.makePromise(of: Answer.self)
        let stream = try await multiplexer.createStreamChannel { stream in
            stream.eventLoop.makeCompletedFuture { try stream.pipeline.syncOperations.addHandler(Collector(done: done)) }
        }.get()
        let headers: HPACKHeaders = [
            ":method": method, ":scheme": "http", ":path": path, ":authority": "localhost",
            "content-type": contentType, "te": "trailers",
        ]
        stream.write(HTTP2Frame.FramePayload.headers(.init(headers: headers, endStream: data.isEmpty)), promise: nil)
        for (index, bytes) in data.enumerated() {
            stream.write(
                HTTP2Frame.FramePayload.data(.init(data: .byteBuffer(ByteBuffer(bytes: bytes)), endStream: index == data.count - 1)),
                promise: nil)
        }
        stream.flush()
        return try await done.futureResult.get()
    }

    func close() async throws { try await channel.close() }

    /// Gathers a stream's answer: headers, data, trailers.
    private final class Collector: ChannelInboundHandler {
        typealias InboundIn = HTTP2Frame.FramePayload
        let done: EventLoopPromise<Answer>
        var answer = Answer()
        var ended = false

        init(done: EventLoopPromise<Answer>) { self.done = done }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case let .headers(frame):
                if let status = frame.headers.first(name: ":status") { answer.httpStatus = status }
                if let status = frame.headers.first(name: "grpc-status") { answer.status = Int(status) }
                if let message = frame.headers.first(name: "grpc-message") { answer.message = message.removingPercentEncoding ?? message }
                if frame.endStream { end() }
            case let .data(frame):
                if case let .byteBuffer(bytes) = frame.data { answer.data += bytes.readableBytesView }
                if frame.endStream { end() }
            case .rstStream:
                end()
            default:
                break
            }
        }

        func channelInactive(context: ChannelHandlerContext) { end() }

        private func end() {
            guard !ended else { return }
            ended = true
            done.succeed(answer)
        }
    }
}
