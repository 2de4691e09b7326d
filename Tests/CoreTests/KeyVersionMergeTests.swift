import Foundation
import KerberosKeys
import XCTest
@testable import DirectoryPipeline

/// What the leases keep when DCs disagree about a gMSA's password while a rotation replicates.
final class KeyVersionMergeTests: XCTestCase {
    private let start = Date(timeIntervalSince1970: 1_800_000_000)

    /// Keys whose bytes all equal `fill` (one password each).
    private func keys(_ fill: UInt8) -> [KerberosKey] {
        [KerberosKey(encryptionType: .aes256CtsHmacSha196, bytes: SecretBytes([UInt8](repeating: fill, count: 32)))]
    }

    /// The account as `controller` answers: password `current` at `kvno`, `previous` before it.
    private func read(
        kvno: UInt32, current: UInt8, previous: UInt8?, from controller: String, at offset: TimeInterval = 0,
        unchanged: TimeInterval = 3600, guid: String = "0c8d4e3a-0000-0000-0000-000000000001"
    ) -> ManagedAccount {
        var account = ManagedAccount(
            samAccountName: "WebApp01$", realm: "CONTOSO.COM", dnsDomain: "contoso.com", keyVersionNumber: kvno,
            encryptionTypes: [.aes256CtsHmacSha196], servicePrincipalNames: ["host/WebApp01"], dnsHostName: nil,
            objectSid: nil, objectGUID: guid,
            salt: Salt.computerAccount(realm: "CONTOSO.COM", accountName: "WebApp01$", dnsDomain: "contoso.com"),
            currentKeys: keys(current), previousKeys: previous.map(keys) ?? [], queryPasswordInterval: .seconds(unchanged + 300),
            unchangedPasswordInterval: .seconds(unchanged), fetchedAt: start.addingTimeInterval(offset))
        account.readFrom = controller
        return account
    }

    /// kvno → key fill byte, for the account's own principal, as the keytab would hold them.
    private func keytab(_ account: ManagedAccount) -> [UInt32: UInt8] {
        var result: [UInt32: UInt8] = [:]
        for entry in account.keytabEntries() where entry.principal == account.principal {
            XCTAssertNil(result[entry.keyVersionNumber], "one key per kvno and type")
            result[entry.keyVersionNumber] = entry.key.bytes.withUnsafeBytes { $0.first }
        }
        return result
    }

    func testTheFirstReadAndANewerKVNOAreTakenAsTheyAre() {
        let first = read(kvno: 1, current: 0xA1, previous: nil, from: "dc2")
        XCTAssertNil(KeyVersionMerge.merge(held: nil, read: first).lagging)
        let newer = read(kvno: 2, current: 0xB2, previous: 0xA1, from: "dc1", at: 60)
        let merged = KeyVersionMerge.merge(held: first, read: newer)
        XCTAssertNil(merged.lagging)
        XCTAssertEqual(keytab(merged.account), [2: 0xB2, 1: 0xA1])
    }

    func testADCOneRotationBehindKeepsTheNewestKeysItsKeyIsThePreviousOne() {
        let newest = read(kvno: 2, current: 0xB2, previous: 0xA1, from: "dc1")
        let lagging = read(kvno: 1, current: 0xA1, previous: nil, from: "dc2", at: 60, unchanged: 70_000)
        let merged = KeyVersionMerge.merge(held: newest, read: lagging)
        XCTAssertEqual(merged.lagging?.held, 2)
        XCTAssertEqual(merged.lagging?.read, 1)
        XCTAssertEqual(merged.account.keyVersionNumber, 2, "never back to the older kvno")
        XCTAssertEqual(keytab(merged.account), [2: 0xB2, 1: 0xA1])
        XCTAssertEqual(merged.account.retainedKeys, [], "the previous keys are the lagging DC's already")
        // The next read comes when the newest password may change, not when the lagging DC's would.
        XCTAssertEqual(merged.account.passwordStableUntil, newest.passwordStableUntil)
        XCTAssertEqual(merged.account.fetchedAt, lagging.fetchedAt)
    }

    func testADCTwoRotationsBehindAddsItsKeysAtItsKVNOUntilItAgrees() {
        let newest = read(kvno: 3, current: 0xC3, previous: 0xB2, from: "dc1")
        let lagging = read(kvno: 1, current: 0xA1, previous: nil, from: "dc2", at: 60)
        let merged = KeyVersionMerge.merge(held: newest, read: lagging).account
        XCTAssertEqual(keytab(merged), [3: 0xC3, 2: 0xB2, 1: 0xA1])

        // The newest DC again, the lagging one not yet caught up: its keys stay.
        let again = KeyVersionMerge.merge(held: merged, read: read(kvno: 3, current: 0xC3, previous: 0xB2, from: "dc1", at: 120))
        XCTAssertNil(again.lagging)
        XCTAssertEqual(keytab(again.account), [3: 0xC3, 2: 0xB2, 1: 0xA1])

        // The lagging DC answers with the newest kvno: the DCs agree, its old keys go.
        let agreed = KeyVersionMerge.merge(held: again.account, read: read(kvno: 3, current: 0xC3, previous: 0xB2, from: "dc2", at: 180))
        XCTAssertNil(agreed.lagging)
        XCTAssertEqual(keytab(agreed.account), [3: 0xC3, 2: 0xB2])
    }

    func testALaggingDCsKeyTakesThePlaceOfADifferentPreviousKeyAtItsKVNO() {
        // The newest read carried no previous password: the lagging DC's current one fills kvno − 1.
        let newest = read(kvno: 2, current: 0xB2, previous: nil, from: "dc1")
        let merged = KeyVersionMerge.merge(held: newest, read: read(kvno: 1, current: 0xA1, previous: nil, from: "dc2")).account
        XCTAssertEqual(keytab(merged), [2: 0xB2, 1: 0xA1])
    }

    func testAGMSACreatedAgainUnderItsNameIsANewAccountNotALaggingDC() {
        let old = read(kvno: 5, current: 0xE5, previous: 0xD4, from: "dc1")
        let recreated = read(kvno: 1, current: 0x11, previous: nil, from: "dc1", guid: "0c8d4e3a-0000-0000-0000-000000000002")
        let merged = KeyVersionMerge.merge(held: old, read: recreated)
        XCTAssertNil(merged.lagging)
        XCTAssertEqual(keytab(merged.account), [1: 0x11])
    }

    func testAKVNOThatMovedByTwoForOnePasswordKeepsTheNewKeysAtTheSkippedKVNO() {
        // Two DCs each stored the rotation's new password (B) before replicating: 5 → 7, and
        // the read's previous password is the one held, so a KDC's tickets at kvno 6 are B's.
        let held = read(kvno: 5, current: 0xA5, previous: 0x94, from: "dc1")
        let jumped = read(kvno: 7, current: 0xB7, previous: 0xA5, from: "dc1", at: 60)
        let merged = KeyVersionMerge.merge(held: held, read: jumped)
        XCTAssertNil(merged.lagging)
        XCTAssertEqual(merged.account.keyVersionNumber, 7)
        XCTAssertEqual(keytab(merged.account), [7: 0xB7, 6: 0xB7, 5: 0xA5])
        // Refreshed at the same kvno, it keeps them; the next rotation drops them.
        let again = KeyVersionMerge.merge(held: merged.account, read: read(kvno: 7, current: 0xB7, previous: 0xA5, from: "dc2", at: 120))
        XCTAssertEqual(keytab(again.account), [7: 0xB7, 6: 0xB7, 5: 0xA5])
        let next = KeyVersionMerge.merge(held: again.account, read: read(kvno: 8, current: 0xC8, previous: 0xB7, from: "dc1", at: 180))
        XCTAssertEqual(keytab(next.account), [8: 0xC8, 7: 0xB7])
    }

    func testTwoRotationsMissedKeepThePreviousPasswordAtTheKVNOBefore() {
        // The held password is not the read's previous one: two passwords came in between, and
        // the blob's previous password is the one at kvno − 1.
        let held = read(kvno: 5, current: 0xA5, previous: 0x94, from: "dc1")
        let later = read(kvno: 7, current: 0xC7, previous: 0xB6, from: "dc1", at: 60)
        XCTAssertEqual(keytab(KeyVersionMerge.merge(held: held, read: later).account), [7: 0xC7, 6: 0xB6])
    }
}
