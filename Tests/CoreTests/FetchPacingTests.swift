import Directory
import Foundation
@testable import Kerberos
import Logging
import TestSupport
import XCTest
@testable import DirectoryPipeline
@testable import LeaseService

/// The pacing of background fetches per domain: a bound that on-demand fetches count against but
/// never wait for, a pause with jitter after a sign of strain, and which failures are such signs.
final class FetchPacingTests: XCTestCase {
    /// Polls `condition` for up to five seconds.
    private func eventually(_ what: String, _ condition: () async -> Bool) async throws {
        for _ in 0..<500 {
            if await condition() { return }
            try await Task.sleep(for: .milliseconds(10))
        }
        XCTFail("not within 5 s: \(what)")
    }

    func testOnDemandFetchesStartAtOnceAndCountAgainstTheBackgroundBound() async throws {
        let pacing = FetchPacing(settings: .init(backgroundPerDomain: 1))
        await pacing.admit(.background, realm: "contoso.test")
        let second = Task { await pacing.admit(.background, realm: "CONTOSO.TEST") }
        try await eventually("the second background fetch waits") { await pacing.waiting(realm: "CONTOSO.TEST") == 1 }
        // A lease someone waits for is not queued behind it.
        await pacing.admit(.onDemand, realm: "CONTOSO.TEST")
        // The first background fetch ends, but the on-demand one still runs: the bound (1) is full.
        await pacing.finished(realm: "CONTOSO.TEST", duration: .milliseconds(20), strained: false)
        try await Task.sleep(for: .milliseconds(100))
        let stillWaiting = await pacing.waiting(realm: "CONTOSO.TEST")
        XCTAssertEqual(stillWaiting, 1, "background fetches yield to on-demand ones")
        await pacing.finished(realm: "CONTOSO.TEST", duration: .milliseconds(20), strained: false)
        await second.value
        let waiting = await pacing.waiting(realm: "CONTOSO.TEST")
        XCTAssertEqual(waiting, 0)
    }

    func testAnotherDomainIsNotHeldBackByABusyOne() async throws {
        let pacing = FetchPacing(settings: .init(backgroundPerDomain: 1))
        await pacing.admit(.background, realm: "CONTOSO.TEST")
        let other = Task { await pacing.admit(.background, realm: "FABRIKAM.TEST") }
        await other.value
        let waiting = await pacing.waiting(realm: "FABRIKAM.TEST")
        XCTAssertEqual(waiting, 0)
    }

    func testStrainPausesBackgroundFetchesButNeverOnDemandOnes() async throws {
        var settings = FetchPacing.Settings(backgroundPerDomain: 4)
        settings.backoff = DomainBackoff(first: .milliseconds(400), maximum: .seconds(10))
        let pacing = FetchPacing(settings: settings)
        await pacing.admit(.background, realm: "CONTOSO.TEST")
        await pacing.finished(realm: "CONTOSO.TEST", duration: .milliseconds(30), strained: true)
        let backsOff = await pacing.backsOff(realm: "CONTOSO.TEST")
        XCTAssertTrue(backsOff)
        let started = ContinuousClock.now
        let background = Task {
            await pacing.admit(.background, realm: "CONTOSO.TEST"); return ContinuousClock.now - started
        }
        try await eventually("the background fetch waits out the pause") { await pacing.waiting(realm: "CONTOSO.TEST") == 1 }
        await pacing.admit(.onDemand, realm: "CONTOSO.TEST")
        XCTAssertLessThan(ContinuousClock.now - started, .milliseconds(200), "an on-demand fetch does not wait for the pause")
        let waited = await background.value
        // The pause is 200–400 ms (up to half of it is taken off at random).
        XCTAssertGreaterThanOrEqual(waited, .milliseconds(190))
    }

    func testASlowFetchIsASignOfStrainAndASuccessEndsTheStreak() async throws {
        var settings = FetchPacing.Settings(backgroundPerDomain: 4)
        settings.slowFetch = .seconds(2)
        settings.backoff = DomainBackoff(first: .milliseconds(50), maximum: .seconds(10))
        let pacing = FetchPacing(settings: settings)
        await pacing.admit(.onDemand, realm: "CONTOSO.TEST")
        await pacing.finished(realm: "CONTOSO.TEST", duration: .seconds(3), strained: false)
        var backsOff = await pacing.backsOff(realm: "CONTOSO.TEST")
        XCTAssertTrue(backsOff, "a fetch slower than slowFetch")
        try await eventually("the pause ends") { await !pacing.backsOff(realm: "CONTOSO.TEST") }
        await pacing.admit(.onDemand, realm: "CONTOSO.TEST")
        await pacing.finished(realm: "CONTOSO.TEST", duration: .milliseconds(40), strained: false)
        backsOff = await pacing.backsOff(realm: "CONTOSO.TEST")
        XCTAssertFalse(backsOff)
    }

    func testAFetchWithNothingLeftToDoGivesItsSlotBackWithoutEndingAPause() async throws {
        let pacing = FetchPacing(settings: .init(backgroundPerDomain: 1))
        await pacing.admit(.background, realm: "CONTOSO.TEST")
        let second = Task { await pacing.admit(.background, realm: "CONTOSO.TEST") }
        try await eventually("the second waits") { await pacing.waiting(realm: "CONTOSO.TEST") == 1 }
        await pacing.release(realm: "CONTOSO.TEST")
        await second.value
    }

    func testACancelledBackgroundWaitReturns() async throws {
        let pacing = FetchPacing(settings: .init(backgroundPerDomain: 1))
        await pacing.admit(.background, realm: "CONTOSO.TEST")
        let waiter = Task { await pacing.admit(.background, realm: "CONTOSO.TEST") }
        try await eventually("it waits") { await pacing.waiting(realm: "CONTOSO.TEST") == 1 }
        waiter.cancel()
        await waiter.value
        let waiting = await pacing.waiting(realm: "CONTOSO.TEST")
        XCTAssertEqual(waiting, 0)
    }

    func testBackoffDoublesUpToItsCeilingAndJitterTakesAtMostHalf() {
        let backoff = DomainBackoff(first: .seconds(2), maximum: .seconds(120))
        XCTAssertEqual(backoff.pause(afterStrains: 0, random: 0.5), .zero)
        XCTAssertEqual(backoff.pause(afterStrains: 1, random: 0), .seconds(2))
        XCTAssertEqual(backoff.pause(afterStrains: 1, random: 1), .seconds(1))
        XCTAssertEqual(backoff.pause(afterStrains: 3, random: 0), .seconds(8))
        XCTAssertEqual(backoff.pause(afterStrains: 7, random: 0), .seconds(120), "2 × 2⁶ = 128 s, capped")
        XCTAssertEqual(backoff.pause(afterStrains: 40, random: 0.5), .seconds(90))
    }

    func testBusyUnavailableUnwillingAndUnreachableAreStrainButARefusalIsNot() {
        func operation(_ code: Int32) -> DirectoryError {
            .operationFailed(operation: "search", controller: "dc1", resultCode: code, reason: "")
        }
        for code: Int32 in [51, 52, 53] {
            XCTAssertTrue(DomainControllerStrain.isStrain(AccountError.fetch(.directory(operation(code)))), "LDAP result \(code)")
        }
        XCTAssertFalse(DomainControllerStrain.isStrain(AccountError.fetch(.directory(operation(32)))), "noSuchObject is the request's fault")
        XCTAssertTrue(DomainControllerStrain.isStrain(AccountFetchError.controllersUnreachable(realm: "CONTOSO.TEST", [])))
        XCTAssertTrue(DomainControllerStrain.isStrain(AccountFetchError.directory(.unreachable(controller: "dc1", reason: "Timed out"))))
        let busy = KerberosError(kind: .kdcBusy, operation: "log in", code: -1765328355, libraryMessage: "service unavailable")
        let refused = KerberosError(kind: .wrongPassword, operation: "log in", code: -1765328360, libraryMessage: "preauth failed")
        XCTAssertTrue(DomainControllerStrain.isStrain(AccountFetchError.portableUserLogin(principal: "u@CONTOSO.TEST", busy)))
        XCTAssertFalse(DomainControllerStrain.isStrain(AccountFetchError.portableUserLogin(principal: "u@CONTOSO.TEST", refused)))
        XCTAssertFalse(DomainControllerStrain.isStrain(AccountFetchError.directory(.accessDenied(account: "WebApp01$", reader: "u"))))
        XCTAssertTrue(DomainControllerStrain.isStrain(AccountError.remembered(.fetch(.directory(operation(51))), retryAt: Date())))
    }

    func testKerberosCallsABusyKDCBusy() {
        XCTAssertEqual(KerberosError.classify(-1765328355), .kdcBusy, "KRB5KDC_ERR_SVC_UNAVAILABLE")
    }

    // MARK: - Prefetch selection

    func testPrefetchSelectsOptedInAndRecentlyUsedCredSpecsOnly() {
        let settings = PrefetchSettings(eager: ["WebApp02", "Reports.json"], recentPeriod: 3600)
        let names = ["Billing", "Reports", "WebApp01", "WebApp02", "WebApp03", "webapp02"]
        XCTAssertEqual(
            settings.selection(of: names, recentlyUsed: ["WebApp01.json"]), ["Reports", "WebApp01", "WebApp02"],
            "names as the directory spells them, like [credspec] sections")
        XCTAssertEqual(settings.selection(of: names, recentlyUsed: []), ["Reports", "WebApp02"])
        XCTAssertEqual(PrefetchSettings().selection(of: names, recentlyUsed: []), [], "nothing by default: the directory is not the node's")
    }

    func testRecentUseIsRecordedOncePerResolutionAndOldUseIsForgotten() throws {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        var recent = RecentCredSpecs(resolution: 3600)
        XCTAssertTrue(recent.use("WebApp01", at: start))
        XCTAssertFalse(recent.use("WebApp01.json", at: start.addingTimeInterval(600)), "the same name within the resolution")
        XCTAssertTrue(recent.use("WebApp01", at: start.addingTimeInterval(3600)))
        XCTAssertTrue(recent.use("Billing", at: start))
        XCTAssertEqual(recent.used(within: 86_400, before: start.addingTimeInterval(86_401)), ["WebApp01"])
        XCTAssertEqual(recent.used(within: 86_400, before: start.addingTimeInterval(86_401)), ["WebApp01"])

        let directory = try temporaryDirectory("recent")
        try recent.write(directory: directory)
        XCTAssertEqual(RecentCredSpecs.read(directory: directory).lastUsed, recent.lastUsed)
        var status = stat()
        XCTAssertEqual(stat(directory + "/" + RecentCredSpecs.fileName, &status), 0)
        XCTAssertEqual(status.st_mode & 0o777, 0o600)
        try "not json".write(toFile: directory + "/" + RecentCredSpecs.fileName, atomically: true, encoding: .utf8)
        XCTAssertEqual(RecentCredSpecs.read(directory: directory).lastUsed, [:], "a damaged record only means less prefetch")
    }
}
