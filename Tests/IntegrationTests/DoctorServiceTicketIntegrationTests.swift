@testable import OperatorTools
import Foundation
import Kerberos
import KerberosKeys
import XCTest

/// Doctor's service-ticket step against the real KDC: the gMSA's true keys decrypt a ticket for
/// its SPN; the same password's keys under another salt do not, and the step says so.
final class DoctorServiceTicketIntegrationTests: XCTestCase {
    private func check(salt: (TestDomain) -> Salt) throws -> Result<String, DoctorFinding> {
        let domain = try TestDomain.require()
        let context = try KerberosContext(configurationFile: domain.krb5Config)
        // The portable user's TGT, as the doctor's login step leaves it.
        let (user, password) = try domain.credentials(domain.allowedCredentialsFile)
        let cache = try CredentialsCache.newInMemory(context: context)
        _ = try context.obtainTicket(for: Principal(parsing: "\(user)@\(domain.realm)", context: context), password: password, into: cache)
        // The gMSA's password as the DC computes it, and its kvno.
        let utf16 = try SecretScan.managedPassword("WebApp01$", domain)
        let kvno = try XCTUnwrap(try DomainControllerKeys(account: "WebApp01$", domain: domain).keys.map(\.kvno).max())
        let spn = "host/webapp01.\(domain.dnsDomain)"
        let keys = try KeyDerivation.keys(
            for: ManagedPassword(utf16LittleEndian: SecretBytes(Array(utf16))), salt: salt(domain),
            encryptionTypes: [.aes256CtsHmacSha196, .aes128CtsHmacSha196])
        let entries = keys.map { KeytabEntry(principal: "\(spn)@\(domain.realm)", keyVersionNumber: kvno, key: $0) }
        let step = DoctorServiceTicketCheck(context: context, cache: cache)
        do { return .success(try step.check(spn: spn, of: "WebApp01$", realm: domain.realm, keys: entries, salt: salt(domain))) } catch {
            return .failure(error)
        }
    }

    func testTheGMSAsKeysDecryptItsServiceTicket() throws {
        let outcome = try check { Salt.computerAccount(realm: $0.realm, accountName: "WebApp01$", dnsDomain: $0.dnsDomain) }
        guard case let .success(detail) = outcome else { return XCTFail("\(outcome)") }
        XCTAssertTrue(detail.contains("decrypts with the derived key"), detail)
    }

    func testKeysWithTheWrongSaltFailTheStepSayingSo() throws {
        // A user account's salt rule (REALM + name) instead of a computer account's.
        let outcome = try check { Salt("\($0.realm)WebApp01$") }
        guard case let .failure(finding) = outcome else { return XCTFail("keys with the wrong salt passed: \(outcome)") }
        XCTAssertTrue(finding.detail.contains("does not decrypt with the derived key"), finding.detail)
        XCTAssertTrue(finding.finding.contains("salt CONTOSO.TESTWebApp01$"), finding.finding)
        XCTAssertTrue(finding.finding.contains("would reject every client"), finding.finding)
        XCTAssertTrue(finding.fix.contains("compare the salt"), finding.fix)
    }
}
