import GRPCUnaryServer
import XCTest

/// The route table every gRPC front end fills: method paths to handlers, bound to a connection's caller.
final class GRPCRoutesTests: XCTestCase {
    func testAPathFindsItsServicesMethodCalledWithTheConnectionsCaller() async throws {
        var routes = GRPCRoutes<String>(service: "csi.v1.Identity", ["Probe": { request, caller in Array(caller.utf8) + request }])
        routes.add(service: "csi.v1.Node", ["NodeGetInfo": { _, _ in [7] }])
        XCTAssertEqual(routes.paths, ["/csi.v1.Identity/Probe", "/csi.v1.Node/NodeGetInfo"])
        let route = routes.bound(to: "kubelet")
        let probe = try XCTUnwrap(route("/csi.v1.Identity/Probe"))
        let answer = try await probe([1, 2])
        XCTAssertEqual(answer, Array("kubelet".utf8) + [1, 2])
        let info = try XCTUnwrap(route("/csi.v1.Node/NodeGetInfo"))
        let infoAnswer = try await info([])
        XCTAssertEqual(infoAnswer, [7])
        // Not served: the stream handler answers UNIMPLEMENTED.
        XCTAssertNil(route("/csi.v1.Node/NodeStageVolume"))
        XCTAssertNil(route("/csi.v1.Identity/"))
        XCTAssertNil(route("csi.v1.Identity/Probe"))
    }

    func testAMethodAddedAgainReplacesTheFirst() async throws {
        var routes = GRPCRoutes<Void>(service: "s.S", ["M": { _, _ in [1] }])
        routes.add(service: "s.S", ["M": { _, _ in [2] }])
        let answer = try await XCTUnwrap(routes.handler(at: "/s.S/M"))([], ())
        XCTAssertEqual(answer, [2])
    }

    /// `grpc-message` is percent-encoded (gRPC's PROTOCOL-HTTP2.md): every byte outside 0x20…0x7E, and '%'.
    func testAStatusMessageIsPercentEncodedForItsTrailer() {
        XCTAssertEqual(
            RPCStatus(code: .permissionDenied, message: "web/webapp may not use WebApp01: 100%\n").encodedMessage, "web/webapp may not use WebApp01: 100%25%0A")
        XCTAssertEqual(RPCStatus.Code.alreadyExists.rawValue, 6)
        XCTAssertEqual(RPCStatus.Code.aborted.rawValue, 10)
    }

    /// gRPC's length-prefixed message: a flag byte, a big-endian length, the bytes.
    func testAMessageFramesAndUnframes() throws {
        XCTAssertEqual(GRPCMessageFrame.framed([0xAA, 0xBB]), [0, 0, 0, 0, 2, 0xAA, 0xBB])
        XCTAssertEqual(Array(try GRPCMessageFrame.unaryMessage(in: [0, 0, 0, 0, 2, 0xAA, 0xBB])), [0xAA, 0xBB])
        XCTAssertThrowsError(try GRPCMessageFrame.unaryMessage(in: [0, 0, 0, 0, 3, 0xAA, 0xBB]))
    }
}
