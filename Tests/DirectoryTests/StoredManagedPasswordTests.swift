@testable import Directory
import Foundation
import XCTest

/// When the kvno beside msDS-ManagedPassword counts the password sent: the DC's held password
/// (msDS-ManagedPasswordId's key period, msDS-ManagedPasswordInterval) against the blob's end of
/// the password it sent.
final class StoredManagedPasswordTests: XCTestCase {
    /// WebApp01's msDS-ManagedPasswordId as the test domain's Samba 4.22 DC wrote it: L0 364, L1 19, L2 19.
    private let samba: [UInt8] = Array(
        Data(
            base64Encoded:
                "AQAAAEtEU0sCAAAAbAEAABMAAAATAAAAqboWByz4WoXAi8fdSxTXOwAAAAAaAAAAGgAAAGMAbwBuAHQAbwBzAG8ALgB0AGUAcwB0AAAAYwBvAG4AdABvAHMAbwAuAHQAZQBzAHQAAAA=")!
    )

    func testTheKeyIDGivesTheHeldPasswordsPeriodAndTheIntervalWholeKeyPeriods() throws {
        let held = try XCTUnwrap(StoredManagedPassword(passwordID: samba, intervalDays: 30))
        // ((364 × 32 + 19) × 32 + 19) periods of 10 h since 1601: 2026-12-06 22:00 UTC.
        XCTAssertEqual(held.keyStart.timeIntervalSince1970, 373_363 * 36_000 - 11_644_473_600)
        XCTAssertEqual(held.rolloverInterval, 720 * 3600)
        XCTAssertEqual(StoredManagedPassword(passwordID: samba, intervalDays: 1)?.rolloverInterval, 20 * 3600, "1 day: two 10-hour periods")
        XCTAssertEqual(StoredManagedPassword(passwordID: samba, intervalDays: nil)?.rolloverInterval, 720 * 3600, "AD's default: 30 days")
    }

    func testAnythingButAKeyEnvelopeIsRefused() {
        XCTAssertNil(StoredManagedPassword(passwordID: [], intervalDays: 30))
        XCTAssertNil(StoredManagedPassword(passwordID: Array(samba.prefix(20)), intervalDays: 30))
        var magic = samba
        magic[4] = 0
        XCTAssertNil(StoredManagedPassword(passwordID: magic, intervalDays: 30))
        var l2 = samba
        l2[20] = 32
        XCTAssertNil(StoredManagedPassword(passwordID: l2, intervalDays: 30), "an L2 index of 32 is no period")
        XCTAssertNil(StoredManagedPassword(passwordID: samba, intervalDays: 0))
    }

    func testTheSameAnswersKvnoCountsThePasswordOnlyWhileTheHeldOneIsSent() throws {
        let held = StoredManagedPassword(keyStart: Date(timeIntervalSince1970: 1_800_000_000), rolloverInterval: 20 * 3600)
        // The held password, sent: its end is the blob's end of the password sent (the DC's now + query).
        let midway = held.keyStart.addingTimeInterval(8 * 3600)
        XCTAssertTrue(held.countsCurrentPassword(queryInterval: 12 * 3600, now: midway))
        // This host's clock minutes off the DC's changes nothing.
        XCTAssertTrue(held.countsCurrentPassword(queryInterval: 12 * 3600, now: midway.addingTimeInterval(-290)))
        XCTAssertTrue(held.countsCurrentPassword(queryInterval: 12 * 3600, now: midway.addingTimeInterval(290)))
        // Read after the held one expired: the DC sends its successor (it ends an interval later or
        // more) and stores it only after the answer, whose kvno is still the old password's.
        let late = held.keyEnd.addingTimeInterval(3600)
        XCTAssertFalse(held.countsCurrentPassword(queryInterval: 19 * 3600, now: late))
        let muchLater = held.keyEnd.addingTimeInterval(3 * 20 * 3600 + 600)
        XCTAssertFalse(held.countsCurrentPassword(queryInterval: 20 * 3600 - 600, now: muchLater), "several intervals later")
        // The last five minutes: the next password is sent as current while the present one is held.
        let lead = held.keyEnd.addingTimeInterval(-240)
        XCTAssertFalse(held.countsCurrentPassword(queryInterval: 240, now: lead))
        XCTAssertFalse(held.countsCurrentPassword(queryInterval: 330, now: held.keyEnd.addingTimeInterval(-330)), "a minute of margin")
    }
}
