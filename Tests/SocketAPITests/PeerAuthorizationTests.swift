import CredSpec
import Foundation
import Kerberos
import Logging
@testable import SocketAPI
import SocketPeers
import TestSupport
import XCTest
@testable import DomainModel

/// The authorization model through the socket: a non-root peer (uid 65534, allowed to connect)
/// against a lease root created.
final class PeerAuthorizationTests: XCTestCase {
    private var scratch: TemporaryDirectory?
    private var directory: String { scratch?.path ?? "" }
    private var server: APIServer?
    private var socket: String { directory + "/api.sock" }
    private let rootLease = LeaseID()

    override func setUp() async throws {
        scratch = try TemporaryDirectory("authz")
        // Root's lease, as the journal keeps it.
        server = try await RestoredLeasesServer.start(in: directory, records: [RestoredLeasesServer.record(rootLease, creator: 0)])
    }

    override func tearDown() async throws {
        await server?.shutdown()
        scratch?.remove()
    }

    private func code(_ body: String) -> String? {
        let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        return (object?["error"] as? [String: Any])?["code"] as? String
    }

    private func field(_ body: String) -> String? {
        let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        return (object?["error"] as? [String: Any])?["field"] as? String
    }

    func testAnotherPeersLeaseIsNotFoundForEveryRoute() async throws {
        let path = "/v1/leases/\(rootLease.value)"
        for (method, route) in [("GET", path), ("GET", path + "/keytab"), ("DELETE", path)] {
            let answer = try ForeignPeer.curl(socket, method, route)
            XCTAssertEqual(answer.status, 404, "\(method) \(route): \(answer.body)")
            XCTAssertEqual(code(answer.body), "not_found", "\(method) \(route)")
            XCTAssertEqual(
                answer.body,
                try ForeignPeer.curl(socket, method, route.replacingOccurrences(of: rootLease.value, with: LeaseID().value)).body
                    .replacingOccurrences(of: #"l_[A-Za-z0-9_-]+"#, with: rootLease.value, options: .regularExpression),
                "the same answer as for an id that does not exist")
        }
        let list = try ForeignPeer.curl(socket, "GET", "/v1/leases")
        XCTAssertEqual(list.status, 200)
        XCTAssertFalse(list.body.contains(rootLease.value), list.body)
        // Root still has it: the DELETE above did nothing.
        let asRoot = try await APIClient(socketPath: socket).send(.GET, path)
        XCTAssertEqual(asRoot.status, 200, asRoot.text)
        let all = try await APIClient(socketPath: socket).send(.GET, "/v1/leases").text
        XCTAssertTrue(all.contains(rootLease.value), all)
    }

    func testNonRootPeerMayNotCreateALeaseForAnotherOwner() throws {
        let answer = try ForeignPeer.curl(socket, "POST", "/v1/leases", body: #"{"credentialSpecName": "WebApp01", "owner": {"uid": 0, "gid": 65534}}"#)
        XCTAssertEqual(answer.status, 403, answer.body)
        XCTAssertEqual(code(answer.body), "forbidden")
        XCTAssertEqual(field(answer.body), "owner.uid")
    }

    func testInlineCredSpecIsRefusedUnlessTurnedOn() async throws {
        let answer = try await APIClient(socketPath: socket).send(.POST, "/v1/leases", body: Array(#"{"credentialSpec": \#(RestoredLeasesServer.spec)}"#.utf8))
        XCTAssertEqual(answer.status, 403, answer.text)
        XCTAssertEqual(code(answer.text), "credspec.inline_disabled")
        XCTAssertEqual(field(answer.text), "credentialSpec")
    }

    func testOpenRoutesStayOpenToEveryAllowedPeer() throws {
        for route in ["/v1/accounts", "/v1/health", "/metrics"] {
            XCTAssertEqual(try ForeignPeer.curl(socket, "GET", route).status, 200, route)
        }
    }
}
