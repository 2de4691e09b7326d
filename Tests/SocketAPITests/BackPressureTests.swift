import Foundation
@testable import SocketAPI
import SocketPeers
import TestSupport
import XCTest
@testable import DomainModel
@testable import Observability

/// A peer that sends requests and does not read the answers: ccgd takes up no more of its
/// requests than the answers it can hold for it, and closes it at the request deadline.
final class BackPressureTests: XCTestCase {
    private var scratch: TemporaryDirectory?
    private var directory: String { scratch?.path ?? "" }
    private var server: APIServer?

    override func tearDown() async throws {
        await server?.shutdown()
        scratch?.remove()
    }

    /// `GET /v1/leases` requests answered 200 so far in this process.
    private func listsServed() -> Int {
        let line = #"ccgd_http_requests_total{route="list_leases",status="200"} "#
        let row = Metrics.shared.rendered().split(separator: "\n").first { $0.hasPrefix(line) }
        return row.flatMap { Int(Double($0.dropFirst(line.count)) ?? 0) } ?? 0
    }

    func testAPeerPipeliningWithoutReadingGetsFewRequestsTakenUpAndIsClosedAtTheDeadline() async throws {
        scratch = try TemporaryDirectory("backpressure")
        // 300 leases of the peer's own: each answer is about 200 KB, above the 64 KiB high-water mark.
        let records = (0..<300).map { RestoredLeasesServer.record(LeaseID(), creator: ForeignPeer.uid, name: "WebApp01", container: "c\($0)") }
        server = try await RestoredLeasesServer.start(in: directory, records: records) { settings in
            settings.requestDeadline = .seconds(1)
        }
        let before = listsServed()
        let peer = try ForeignPeer.pipelineWithoutReading(directory + "/api.sock", "GET /v1/leases HTTP/1.1\r\nHost: ccgd\r\n\r\n", seconds: 20)
        let served = listsServed() - before
        print("pipelined \(peer.sent) requests without reading; ccgd answered \(served)")
        XCTAssertGreaterThan(peer.sent, 100, "the peer got its requests out (into the kernel's buffer)")
        // About one answer in the kernel's buffer and one above the water mark; the rest wait unread.
        XCTAssertLessThan(served, 10, "answers queued for a peer that reads none")
        XCTAssertTrue(peer.closed, "a peer that takes no answer loses its connection at the request deadline")
    }
}
