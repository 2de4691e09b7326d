import Directory
import FoundationEssentials
import TestSupport
import XCTest
@testable import DirectoryPipeline
@testable import DomainModel

/// The order DCs are asked in, and when a failed one is probed: a failed DC last until it answers.
final class ControllerStandingsTests: XCTestCase {
    let dc1 = DomainController(hostName: "dc1.contoso.test", address: "192.0.2.1")
    let dc2 = DomainController(hostName: "dc2.contoso.test", address: "192.0.2.2")
    let dc3 = DomainController(hostName: "dc3.contoso.test", address: "192.0.2.3")
    let start = Date(timeIntervalSince1970: 1_800_000_000)

    func testUnknownAndUpKeepTheirOrderAndAFailedDCGoesLast() {
        var standings = ControllerStandings()
        XCTAssertEqual(standings.ordered([dc1, dc2, dc3]), [dc1, dc2, dc3])
        _ = standings.recordAnswer(dc2.hostName, at: start)
        XCTAssertEqual(standings.ordered([dc1, dc2, dc3]), [dc1, dc2, dc3])
        _ = standings.recordFailure(dc1.hostName, cause: "Connection refused", at: start)
        XCTAssertEqual(standings.ordered([dc1, dc2, dc3]), [dc2, dc3, dc1])
        _ = standings.recordFailure(dc3.hostName, cause: "no answer within 1000 ms", at: start)
        XCTAssertEqual(standings.ordered([dc1, dc2, dc3]), [dc2, dc1, dc3])
        // Back: its own place again, ahead of the DC that replaced it.
        _ = standings.recordAnswer(dc1.hostName, at: start.addingTimeInterval(3))
        XCTAssertEqual(standings.ordered([dc1, dc2, dc3]), [dc1, dc2, dc3].filter { $0 != dc3 } + [dc3])
    }

    func testEachChangeIsReportedOnceAndRepeatsAreNot() {
        var standings = ControllerStandings()
        XCTAssertEqual(standings.recordAnswer(dc1.hostName, at: start), .init(host: dc1.hostName, from: .unknown, to: .up, cause: nil))
        XCTAssertNil(standings.recordAnswer(dc1.hostName, at: start.addingTimeInterval(1)))
        XCTAssertEqual(
            standings.recordFailure(dc1.hostName, cause: "Connection refused", at: start.addingTimeInterval(2)),
            .init(host: dc1.hostName, from: .up, to: .down, cause: "Connection refused"))
        XCTAssertNil(standings.recordFailure(dc1.hostName, cause: "Connection refused", at: start.addingTimeInterval(3)))
        XCTAssertEqual(standings.recordAnswer(dc1.hostName, at: start.addingTimeInterval(9))?.from, .down)
    }

    func testAFailedDCIsProbedAfterABackoffThatGrowsWhileItStaysDown() {
        var standings = ControllerStandings()
        _ = standings.recordFailure(dc1.hostName, cause: "Connection refused", at: start)
        XCTAssertEqual(standings.probesDue(at: start.addingTimeInterval(1.9)), [])
        XCTAssertEqual(standings.probesDue(at: start.addingTimeInterval(2)), [dc1.hostName])
        var now = start.addingTimeInterval(2)
        var waits: [TimeInterval] = []
        for _ in 0..<6 {
            standings.recordProbeFailure(dc1.hostName, cause: "Connection refused", at: now)
            let next = standings.standings[dc1.hostName]!.nextProbe!
            waits.append(next.timeIntervalSince(now))
            now = next
        }
        XCTAssertEqual(waits, [4, 8, 16, 30, 30, 30])
        XCTAssertEqual(standings.probesDue(at: now), [dc1.hostName])
        // An answering DC is never probed.
        _ = standings.recordAnswer(dc1.hostName, at: now)
        XCTAssertEqual(standings.probesDue(at: now.addingTimeInterval(3600)), [])
    }

    /// A DC that comes and goes keeps its backoff until it has stayed up for `settling`: it is
    /// moved back at most once per (growing) probe delay instead of on every request.
    func testADCThatFailsAgainSoonAfterComingBackKeepsItsBackoffOneThatSettledStartsAnew() {
        var standings = ControllerStandings()
        var now = start
        var delays: [TimeInterval] = []
        for _ in 0..<4 {
            _ = standings.recordFailure(dc1.hostName, cause: "no answer within 1000 ms", at: now)
            delays.append(standings.standings[dc1.hostName]!.nextProbe!.timeIntervalSince(now))
            now = now.addingTimeInterval(delays.last!)
            _ = standings.recordAnswer(dc1.hostName, at: now)
            now = now.addingTimeInterval(10)
        }
        XCTAssertEqual(delays, [2, 4, 8, 16])
        now = now.addingTimeInterval(ControllerStandings.settling)
        _ = standings.recordFailure(dc1.hostName, cause: "Connection refused", at: now)
        XCTAssertEqual(standings.standings[dc1.hostName]!.nextProbe!.timeIntervalSince(now), 2)
    }

    func testHealthOrdersByWhatItHeardAndNamesTheDCInUse() {
        let health = ControllerHealth(clock: { [start] in start })
        health.know(realm: "CONTOSO.TEST", controllers: [dc1, dc2])
        health.record(realm: "CONTOSO.TEST", host: dc1.hostName, reachable: false, cause: "Connection refused")
        health.record(realm: "CONTOSO.TEST", host: dc2.hostName, reachable: true)
        health.use(realm: "CONTOSO.TEST", host: dc2.hostName)
        XCTAssertEqual(health.ordered(realm: "CONTOSO.TEST", [dc1, dc2]), [dc2, dc1])
        XCTAssertEqual(health.preferred(realm: "CONTOSO.TEST", [dc1, dc2]), dc2)
        let controllers = health.snapshot().first { $0.realm == "CONTOSO.TEST" }!.controllers
        XCTAssertEqual(controllers.map(\.host), [dc1.hostName, dc2.hostName])
        XCTAssertEqual(controllers.map(\.state), [.down, .up])
        XCTAssertEqual(controllers.map(\.inUse), [false, true])
        XCTAssertEqual(controllers[0].cause, "Connection refused")
        XCTAssertEqual(health.probesDue().map(\.controller), []) // its 2 s have not passed on this clock
        // Every DC down: the session stays where it is (no preferred DC to move to).
        health.record(realm: "CONTOSO.TEST", host: dc2.hostName, reachable: false, cause: "Connection refused")
        XCTAssertNil(health.preferred(realm: "CONTOSO.TEST", [dc1, dc2]))
        XCTAssertEqual(health.ordered(realm: "CONTOSO.TEST", [dc1, dc2]), [dc1, dc2])
    }
}

/// The AD site a discovery found: logged once and on a change, named with each DC in the snapshot.
final class ControllerSiteTests: XCTestCase {
    let dc1 = DomainController(hostName: "dc1.contoso.test", address: "192.0.2.1")
    let dc2 = DomainController(hostName: "dc2.contoso.test", address: "192.0.2.2")

    func testTheSiteIsLoggedOnceAChangeAgainAndEachDCSaysWhetherItIsInIt() {
        let log = CapturedLog()
        let health = ControllerHealth(logger: log.logger())
        let branch = DomainControllerLocation(
            controllers: [dc2, dc1], site: ClientSite(name: "Branch", origin: .ldapPing(answeredBy: dc1.hostName)),
            siteControllers: [dc2.hostName])
        health.know(realm: "CONTOSO.TEST", controllers: branch.controllers)
        health.locate(realm: "CONTOSO.TEST", branch)
        health.locate(realm: "CONTOSO.TEST", branch)
        XCTAssertEqual(
            log.lines.filter { $0.contains("AD site") },
            [
                "notice CONTOSO.TEST: this host is in AD site Branch (from the LDAP ping answered by dc1.contoso.test); its DCs (dc2.contoso.test) are asked first [:]"
            ])
        let controllers = health.snapshot().first { $0.realm == "CONTOSO.TEST" }!.controllers
        XCTAssertEqual(controllers.map(\.inSite), [false, true])
        XCTAssertEqual(health.location(realm: "CONTOSO.TEST")?.site?.name, "Branch")

        let home = DomainControllerLocation(
            controllers: [dc1, dc2], site: ClientSite(name: "Default-First-Site-Name", origin: .configured), siteControllers: [dc1.hostName])
        health.locate(realm: "CONTOSO.TEST", home)
        XCTAssertEqual(
            log.lines.last,
            "notice CONTOSO.TEST: this host's AD site is now Default-First-Site-Name (from [daemon] site), no longer Branch; its DCs (dc1.contoso.test) are asked first [:]"
        )
        health.locate(realm: "CONTOSO.TEST", DomainControllerLocation(controllers: [dc1, dc2], site: nil, siteProblem: "no DC answered the LDAP ping"))
        XCTAssertEqual(
            log.lines.last,
            "notice CONTOSO.TEST: no AD site known for this host (no DC answered the LDAP ping); the DCs are asked in DNS's order [:]")
        XCTAssertEqual(health.snapshot().first!.controllers.map(\.inSite), [false, false])
    }
}

/// A rediscovery (SRV records drawn in a new random order) keeps the order of the DCs known already.
final class DiscoveryOrderTests: XCTestCase {
    func testKnownDCsKeepTheirOrderAndNewOnesComeAfter() {
        let dc1 = DomainController(hostName: "dc1.contoso.test"), dc2 = DomainController(hostName: "dc2.contoso.test")
        let dc3 = DomainController(hostName: "dc3.contoso.test")
        XCTAssertEqual(Domains.keepingOrder(of: [dc1, dc2], [dc3, dc2, dc1]), [dc1, dc2, dc3])
        XCTAssertEqual(Domains.keepingOrder(of: [dc2, dc1], [dc1, dc2]), [dc2, dc1])
        // A DC gone from DNS is gone from the list.
        XCTAssertEqual(Domains.keepingOrder(of: [dc1, dc2], [dc2]), [dc2])
        XCTAssertEqual(Domains.keepingOrder(of: [], [dc2, dc1]), [dc2, dc1])
    }
}
