@testable import SocketAPI
import XCTest
import LeaseService

/// How connections are shared: root's reserve, each uid's limit, reloads.
final class ConnectionSharesTests: XCTestCase {
    func testEachNonRootUidStopsAtItsLimitAndAllTogetherLeaveRootItsReserve() {
        let shares = ConnectionShares(ConnectionLimits(total: 6, rootReserve: 2, perUID: 3))
        XCTAssertNil(shares.enter(1000)); XCTAssertNil(shares.enter(1000)); XCTAssertNil(shares.enter(1000))
        XCTAssertEqual(shares.enter(1000), .uidLimit(uid: 1000, held: 3, limit: 3))
        XCTAssertNil(shares.enter(1001))
        XCTAssertEqual(shares.enter(1002), .nonRootShare(uid: 1002, held: 4, limit: 4, reserve: 2))
        XCTAssertNil(shares.enter(0)); XCTAssertNil(shares.enter(0))
        XCTAssertEqual(shares.enter(0), .full(uid: 0, held: 6, limit: 6))
        shares.leave(1000)
        XCTAssertEqual(shares.held(by: 1000), 2)
        XCTAssertEqual(shares.enter(0), nil, "root may use a slot another peer gave back")
        XCTAssertEqual(shares.enter(1001), .full(uid: 1001, held: 6, limit: 6))
    }

    func testRootHasNoLimitOfItsOwnBelowTheTotal() {
        let shares = ConnectionShares(ConnectionLimits(total: 5, rootReserve: 1, perUID: 1))
        for _ in 0..<5 { XCTAssertNil(shares.enter(0)) }
        XCTAssertEqual(shares.held(by: 0), 5)
        XCTAssertNotNil(shares.enter(0))
    }

    func testLowerLimitsRefuseNewConnectionsAndCountTheHeldOnes() {
        let shares = ConnectionShares(ConnectionLimits(total: 10, rootReserve: 0, perUID: 4))
        for _ in 0..<4 { XCTAssertNil(shares.enter(1000)) }
        shares.replace(with: ConnectionLimits(total: 10, rootReserve: 0, perUID: 2))
        XCTAssertEqual(shares.enter(1000), .uidLimit(uid: 1000, held: 4, limit: 2))
        shares.leave(1000); shares.leave(1000)
        XCTAssertEqual(shares.enter(1000), .uidLimit(uid: 1000, held: 2, limit: 2))
        shares.leave(1000)
        XCTAssertNil(shares.enter(1000))
        XCTAssertEqual(shares.held(), 2)
    }

    func testRefusalsSayWhichKeyToRaise() {
        XCTAssertEqual(
            ConnectionRefusal.uidLimit(uid: 1000, held: 32, limit: 32).description,
            "uid 1000 already holds 32 connections to ccgd, and its limit is 32; close some or raise max-connections-per-uid in [daemon] of ccgd.conf.")
        XCTAssertEqual(ConnectionRefusal.nonRootShare(uid: 1000, held: 3840, limit: 3840, reserve: 256).reason, "root-reserved-connections")
        XCTAssertEqual(ConnectionRefusal.full(uid: 0, held: 4096, limit: 4096).reason, "max-connections")
    }
}
