import CCGPlugin
@testable import Directory
import Kerberos
import KerberosKeys
import XCTest
@testable import DirectoryPipeline

/// The pure decisions around warm directory sessions, the salt fallback and matching records to names.
final class DirectorySessionScheduleTests: XCTestCase {
    private func credential(_ domain: String, _ user: String, _ password: String) -> DomainCredential {
        DomainCredential(domainName: domain, username: user, password: Password(password))
    }

    private func kerberosError(_ kind: KerberosError.Kind) -> KerberosError {
        KerberosError(kind: kind, operation: "obtain a ticket for WebApp01$@CONTOSO.TEST with its keys", code: 0, libraryMessage: "")
    }

    func testAnotherPasswordIsAnotherAnswer() {
        let sessions = DirectorySessions()
        let first = sessions.identify(.portableUser(credential("CONTOSO", "User", "one")), realm: "CONTOSO.TEST", dnsDomain: "contoso.test")
        let same = sessions.identify(.portableUser(credential("CONTOSO", "User", "one")), realm: "contoso.test", dnsDomain: "CONTOSO.TEST")
        let other = sessions.identify(.portableUser(credential("CONTOSO", "User", "two")), realm: "CONTOSO.TEST", dnsDomain: "contoso.test")
        XCTAssertEqual(first.key, same.key)
        XCTAssertEqual(first.answer, same.answer)
        XCTAssertEqual(first.key, other.key, "the same user keeps its session key")
        XCTAssertNotEqual(first.answer, other.answer, "a renewed password must not reuse the old login")
    }

    func testFieldsCannotSlideIntoEachOther() {
        // "AB" + "C" and "A" + "BC" are different answers: every field is length-prefixed.
        let left = DirectorySessions.canonical(credential("AB", "C", "p"))
        let right = DirectorySessions.canonical(credential("A", "BC", "p"))
        XCTAssertNotEqual(left, right)
    }

    func testAnotherUserIsAnotherSession() {
        let sessions = DirectorySessions()
        let one = sessions.identify(.portableUser(credential("CONTOSO", "User1", "p")), realm: "CONTOSO.TEST", dnsDomain: "contoso.test")
        let two = sessions.identify(.portableUser(credential("CONTOSO", "User2", "p")), realm: "CONTOSO.TEST", dnsDomain: "contoso.test")
        let machine = sessions.identify(
            .machine(principal: "HOST$@CONTOSO.TEST", keytab: "/etc/krb5.keytab"), realm: "CONTOSO.TEST",
            dnsDomain: "contoso.test")
        XCTAssertNotEqual(one.key, two.key)
        XCTAssertNotEqual(one.key, machine.key)
    }

    func testAuthenticationAccessAndConnectionFailuresEndTheSession() {
        let ending: [AccountFetchError] = [
            .directory(.accessDenied(account: "WebApp01$", reader: "u")),
            .directory(.bindRefused(controller: "dc", mechanism: "GSSAPI", reason: "")),
            .directory(.unreachable(controller: "dc", reason: "")),
            .controllersUnreachable(realm: "R", []),
            .machineAccountNotAllowed(account: "WebApp01$", machine: "HOST$"),
            .directory(.confidentialityRequired(controller: "dc", reason: "")),
        ]
        for error in ending { XCTAssertTrue(DirectorySessions.endsSession(error), "\(error)") }
        let keeping: [AccountFetchError] = [
            .directory(.accountNotFound(account: "Missing$", searchBase: "DC=x")),
            .accountNameMismatch(requested: "A", returned: "B$"),
            .managedAccountLogin(principal: "WebApp01$@R", kerberosError(.wrongPassword)),
        ]
        for error in keeping { XCTAssertFalse(DirectorySessions.endsSession(error), "\(error)") }
    }

    func testOnlyARefusedKeyAsksTheKDCForItsSalt() {
        XCTAssertTrue(SaltFallback.asksForTheKDCsSalt(after: .managedAccountLogin(principal: "A$@R", kerberosError(.wrongPassword))))
        for kind in [KerberosError.Kind.clientRevoked, .clientUnknown, .kdcUnreachable, .clockSkew, .encryptionTypeNotSupported, .other] {
            XCTAssertFalse(SaltFallback.asksForTheKDCsSalt(after: .managedAccountLogin(principal: "A$@R", kerberosError(kind))), "\(kind)")
        }
        XCTAssertFalse(SaltFallback.asksForTheKDCsSalt(after: .portableUserLogin(principal: "u@R", kerberosError(.wrongPassword))))
    }

    func testTheKDCsSaltIsTriedOnlyWhenItTellsADifferentOne() {
        let used = Salt("CONTOSO.TESThostwebapp01.contoso.test")
        XCTAssertEqual(
            SaltFallback.retrySalt(
                advertised: KeySaltAdvertisement(encryptionTypeNumber: 18, salt: "CONTOSO.TESThostold.contoso.test"),
                used: used), Salt("CONTOSO.TESThostold.contoso.test"))
        XCTAssertNil(SaltFallback.retrySalt(advertised: KeySaltAdvertisement(encryptionTypeNumber: 18, salt: used.value), used: used))
        XCTAssertNil(SaltFallback.retrySalt(advertised: KeySaltAdvertisement(encryptionTypeNumber: 0, salt: ""), used: used))
        XCTAssertNil(SaltFallback.retrySalt(advertised: nil, used: used))
    }

    private func record(_ name: String) -> ManagedServiceAccountRecord {
        ManagedServiceAccountRecord(
            distinguishedName: "CN=\(name),DC=x", samAccountName: name, managedPasswordBlob: SecretBytes([]), keyVersionNumber: 1,
            servicePrincipalNames: [], supportedEncryptionTypes: nil, objectSid: nil, objectGUID: nil, dnsHostName: nil,
            userAccountControl: nil)
    }

    func testRecordsAreMatchedToTheirNamesInTheRequestedOrder() throws {
        let matched = try ManagedAccountFetcher.match([record("B$"), record("a$")], to: ["A", "b$"], searchBase: "DC=x")
        XCTAssertEqual(matched.map(\.samAccountName), ["a$", "B$"])
    }

    func testARecordNobodyAskedForIsRefused() {
        XCTAssertThrowsError(try ManagedAccountFetcher.match([record("A$"), record("Other$")], to: ["A"], searchBase: "DC=x")) { error in
            guard case let .accountNameMismatch(requested, returned) = error as? AccountFetchError else { return XCTFail("\(error)") }
            XCTAssertEqual(requested, "A")
            XCTAssertEqual(returned, "Other$")
        }
    }

    func testAMissingNameIsNotFoundByName() {
        XCTAssertThrowsError(try ManagedAccountFetcher.match([record("A$")], to: ["A", "Missing01"], searchBase: "DC=x")) { error in
            XCTAssertEqual(
                (error as? AccountFetchError)?.description,
                "no group managed service account Missing01$ under DC=x; check the CredSpec's account name and domain.")
        }
    }
}
