import CCGPlugin
import Foundation
import KerberosKeys
import XCTest
@testable import DirectoryPipeline

final class ManagedAccountTests: XCTestCase {
    private func account(kvno: UInt32, previous: Bool, unchanged: Duration = .seconds(3600)) -> ManagedAccount {
        let current = [
            KerberosKey(encryptionType: .aes256CtsHmacSha196, bytes: SecretBytes([UInt8](repeating: 1, count: 32))),
            KerberosKey(encryptionType: .rc4Hmac, bytes: SecretBytes([UInt8](repeating: 2, count: 16))),
        ]
        let old = previous ? [KerberosKey(encryptionType: .aes256CtsHmacSha196, bytes: SecretBytes([UInt8](repeating: 3, count: 32)))] : []
        return ManagedAccount(
            samAccountName: "WebApp01$", realm: "CONTOSO.COM", dnsDomain: "contoso.com", keyVersionNumber: kvno,
            encryptionTypes: [.aes256CtsHmacSha196, .rc4Hmac], servicePrincipalNames: ["host/WebApp01", "http/web.contoso.com"],
            dnsHostName: "webapp01.contoso.com", objectSid: nil, objectGUID: nil,
            salt: Salt.computerAccount(realm: "CONTOSO.COM", accountName: "WebApp01$", dnsDomain: "contoso.com"),
            currentKeys: current, previousKeys: old, queryPasswordInterval: unchanged + .seconds(300),
            unchangedPasswordInterval: unchanged, fetchedAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    func testKeytabHasEveryKeyUnderTheAccountAndEachSPN() {
        let entries = account(kvno: 3, previous: false).keytabEntries()
        XCTAssertEqual(Set(entries.map(\.principal)), ["WebApp01$@CONTOSO.COM", "host/WebApp01@CONTOSO.COM", "http/web.contoso.com@CONTOSO.COM"])
        XCTAssertEqual(entries.count, 3 * 2)
        XCTAssertTrue(entries.allSatisfy { $0.keyVersionNumber == 3 })
    }

    func testPreviousPasswordKeysStayAtTheKVNOBefore() {
        let entries = account(kvno: 3, previous: true).keytabEntries()
        XCTAssertEqual(entries.filter { $0.keyVersionNumber == 2 }.count, 3, "one previous key per principal")
        XCTAssertEqual(
            entries.filter { $0.keyVersionNumber == 2 }.map(\.key.encryptionType), [.aes256CtsHmacSha196, .aes256CtsHmacSha196, .aes256CtsHmacSha196])
    }

    func testPreviousKeysAreDroppedWhenNoEarlierKVNOExists() {
        XCTAssertTrue(account(kvno: 1, previous: true).keytabEntries().allSatisfy { $0.keyVersionNumber == 1 })
    }

    func testPasswordRefreshComesBeforeTheUnchangedIntervalEnds() {
        let account = account(kvno: 2, previous: false, unchanged: .seconds(10_000))
        let policy = RefreshPolicy()
        XCTAssertEqual(policy.passwordRefresh(for: account, jitter: 0), account.fetchedAt.addingTimeInterval(10_000))
        XCTAssertEqual(policy.passwordRefresh(for: account, jitter: 1), account.fetchedAt.addingTimeInterval(9_000))
        XCTAssertLessThanOrEqual(policy.passwordRefresh(for: account, jitter: 0.5), account.passwordStableUntil)
    }

    func testZeroIntervalDoesNotBecomeABusyLoop() {
        let account = account(kvno: 2, previous: false, unchanged: .zero)
        XCTAssertEqual(RefreshPolicy().passwordRefresh(for: account), account.fetchedAt.addingTimeInterval(60))
    }

    func testTicketIsRenewedAtFourFifthsOfItsLife() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let times = Kerberos.TicketTimes(authTime: start, startTime: start, endTime: start.addingTimeInterval(36_000), renewUntil: nil)
        XCTAssertEqual(RefreshPolicy().ticketRefresh(times, now: start), start.addingTimeInterval(28_800))
    }

    func testABriefTicketIsNotRenewedInABusyLoop() {
        let start = Date(timeIntervalSince1970: 1_800_000_000)
        let times = Kerberos.TicketTimes(authTime: start, startTime: start, endTime: start.addingTimeInterval(5), renewUntil: nil)
        XCTAssertEqual(RefreshPolicy().ticketRefresh(times, now: start), start.addingTimeInterval(10))
        // A clock ahead of the DC's: the ticket looks old already when it arrives.
        let late = start.addingTimeInterval(3_600)
        XCTAssertEqual(RefreshPolicy().ticketRefresh(times, now: late), late.addingTimeInterval(10))
    }

    /// The sAMAccountName the DC returns becomes part of file names: it must be the one asked for.
    func testAccountTheDirectoryReturnsMustBeTheOneAskedFor() throws {
        for (returned, requested) in [("WebApp01$", "WebApp01$"), ("WebApp01$", "webapp01"), ("webapp01$", "WEBAPP01$")] {
            XCTAssertNoThrow(try ManagedAccountFetcher.checkName(returned, answers: requested), "\(returned) for \(requested)")
        }
        for (returned, requested) in [("Other$", "WebApp01"), ("../x$", "WebApp01$"), ("WebApp01$x", "WebApp01"), ("WebApp0$", "WebApp01$")] {
            XCTAssertThrowsError(try ManagedAccountFetcher.checkName(returned, answers: requested)) { error in
                guard case let .accountNameMismatch(wanted, got)? = error as? AccountFetchError else { return XCTFail("\(error)") }
                XCTAssertEqual([wanted, got], [requested, returned])
                XCTAssertEqual((error as? AccountFetchError)?.code, .directoryMalformedAnswer)
                XCTAssertTrue("\(error)".contains(requested) && "\(error)".contains(returned), "\(error)")
            }
        }
    }
}

import Kerberos

final class PortableUserTests: XCTestCase {
    private func user(_ domain: String, _ name: String) -> PortableUser {
        PortableUser(
            DomainCredential(domainName: domain, username: name, password: Password("x")),
            realm: "CONTOSO.COM", dnsDomain: "contoso.com", netBiosName: "CONTOSO")
    }

    func testNetBIOSDNSAndRealmSpellingsMapToTheRealm() {
        for domain in ["CONTOSO", "contoso", "contoso.com", "CONTOSO.COM"] {
            XCTAssertEqual(user(domain, "svc").principal, "svc@CONTOSO.COM", domain)
            XCTAssertEqual(user(domain, "svc").bindName, "svc@contoso.com", domain)
        }
    }

    func testDomainInTheUserNameWins() {
        XCTAssertEqual(user("ignored", "CONTOSO\\svc").principal, "svc@CONTOSO.COM")
        XCTAssertEqual(user("ignored", "svc@contoso.com").principal, "svc@CONTOSO.COM")
    }

    func testUserOfAnotherDomainKeepsItsRealm() {
        XCTAssertEqual(user("fabrikam.com", "svc").principal, "svc@FABRIKAM.COM")
        XCTAssertEqual(user("fabrikam.com", "svc").bindName, "svc@fabrikam.com")
    }
}
