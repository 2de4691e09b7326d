import CredSpec
import Foundation
import Kerberos
import Logging
@testable import SocketAPI
import SocketPeers
import TestSupport
import XCTest
@testable import DomainModel

/// `GET /v1/leases?containerId=…`: a runtime hook finds a container's leases by the id it knows,
/// and a non-root peer still sees only the leases it created.
final class LeaseQueryTests: XCTestCase {
    private var scratch: TemporaryDirectory?
    private var directory: String { scratch?.path ?? "" }
    private var server: APIServer?
    private var socket: String { directory + "/api.sock" }
    /// Root's leases for containers "c1" and "c 2/x" (a value that needs percent-encoding), the foreign peer's for "c1".
    private let rootC1 = LeaseID(), rootC2 = LeaseID(), foreignC1 = LeaseID()

    override func setUp() async throws {
        scratch = try TemporaryDirectory("query")
        server = try await RestoredLeasesServer.start(
            in: directory,
            records: [
                RestoredLeasesServer.record(rootC1, creator: 0, name: "WebApp01", container: "c1"),
                RestoredLeasesServer.record(rootC2, creator: 0, name: "WebApp01", container: "c 2/x"),
                RestoredLeasesServer.record(foreignC1, creator: ForeignPeer.uid, name: "WebApp01", container: "c1"),
            ])
    }

    override func tearDown() async throws {
        await server?.shutdown()
        scratch?.remove()
    }

    private func ids(_ body: String) -> Set<String> {
        let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
        return Set((object?["leases"] as? [[String: Any]] ?? []).compactMap { $0["id"] as? String })
    }

    private func rootList(_ target: String) async throws -> (status: Int, body: String) {
        let answer = try await APIClient(socketPath: socket).send(.GET, target)
        return (answer.status, answer.text)
    }

    func testContainerIdNarrowsTheListToThatContainer() async throws {
        let c1 = try await rootList("/v1/leases?containerId=c1")
        XCTAssertEqual(c1.status, 200, c1.body)
        XCTAssertEqual(ids(c1.body), [rootC1.value, foreignC1.value], "root sees every peer's lease of the container")
        let c2 = try await rootList("/v1/leases?containerId=c%202%2Fx")
        XCTAssertEqual(ids(c2.body), [rootC2.value], "the value is percent-decoded")
        let none = try await rootList("/v1/leases?containerId=c3")
        XCTAssertEqual(none.status, 200)
        XCTAssertEqual(ids(none.body), [], "no lease for an unknown container")
        let all = try await rootList("/v1/leases")
        XCTAssertEqual(ids(all.body), [rootC1.value, rootC2.value, foreignC1.value], "no query: every lease")
    }

    func testANonRootPeerFindsOnlyItsOwnLeasesOfAContainer() throws {
        let answer = try ForeignPeer.curl(socket, "GET", "/v1/leases?containerId=c1")
        XCTAssertEqual(answer.status, 200, answer.body)
        XCTAssertEqual(ids(answer.body), [foreignC1.value])
        XCTAssertEqual(ids(try ForeignPeer.curl(socket, "GET", "/v1/leases?containerId=c%202%2Fx").body), [], "root's lease stays hidden")
    }

    func testAMisspeltOrMalformedQueryIsRefusedNotIgnored() async throws {
        for (target, field) in [
            ("/v1/leases?containerID=c1", "containerID"), ("/v1/leases?containerId=c%2", "containerId"),
            ("/v1/leases?containerId=c1&containerId=c2", "containerId"),
        ] {
            let answer = try await rootList(target)
            XCTAssertEqual(answer.status, 400, target)
            let error = ((try? JSONSerialization.jsonObject(with: Data(answer.body.utf8))) as? [String: Any])?["error"] as? [String: Any]
            XCTAssertEqual(error?["code"] as? String, "bad_request", target)
            XCTAssertEqual(error?["field"] as? String, field, target)
            XCTAssertFalse(answer.body.contains(rootC1.value), "no lease is listed: \(target)")
        }
    }
}
