import Directory
import Kerberos
import KerberosKeys
import XCTest
import DomainModel

/// Kerberos and LDAP against the real Samba DC: the DC's answers are the oracle.
final class DirectoryIntegrationTests: XCTestCase {
    private func loggedIn(_ domain: TestDomain, credentials file: String) throws -> (KerberosContext, CredentialsCache) {
        let context = try KerberosContext(configurationFile: domain.krb5Config)
        let (user, password) = try domain.credentials(file)
        let cache = try CredentialsCache.newInMemory(context: context)
        let client = try Principal(parsing: "\(user)@\(domain.realm)", context: context)
        _ = try context.obtainTicket(for: client, password: password, into: cache)
        return (context, cache)
    }

    func testPortableUserLogsInWithItsPasswordIntoAnInMemoryCache() throws {
        let domain = try TestDomain.require()
        let (_, cache) = try loggedIn(domain, credentials: domain.allowedCredentialsFile)
        XCTAssertTrue(cache.name.hasPrefix("MEMORY:"))
        XCTAssertEqual(cache.principalName, "\(domain["ALLOWED_USER"])@\(domain.realm)")
    }

    func testWrongPasswordIsReportedAsWrongPassword() throws {
        let domain = try TestDomain.require()
        let context = try KerberosContext(configurationFile: domain.krb5Config)
        let cache = try CredentialsCache.newInMemory(context: context)
        let client = try Principal(parsing: "\(domain["ALLOWED_USER"])@\(domain.realm)", context: context)
        XCTAssertThrowsError(try context.obtainTicket(for: client, password: SecretBytes(Array("not-the-password".utf8)), into: cache)) { error in
            let error = error as? KerberosError
            XCTAssertEqual(error?.kind, .wrongPassword)
            XCTAssertTrue(error?.description.contains("check the credentials") ?? false, "\(String(describing: error))")
        }
    }

    func testUnknownUserIsReportedAsUnknownPrincipal() throws {
        let domain = try TestDomain.require()
        let context = try KerberosContext(configurationFile: domain.krb5Config)
        let cache = try CredentialsCache.newInMemory(context: context)
        let client = try Principal(parsing: "NoSuchUser42@\(domain.realm)", context: context)
        XCTAssertThrowsError(try context.obtainTicket(for: client, password: SecretBytes(Array("x".utf8)), into: cache)) { error in
            XCTAssertEqual((error as? KerberosError)?.kind, .clientUnknown, "\(error)")
        }
    }

    func testSealedBindReadsTheManagedPasswordAndAccountFacts() throws {
        let domain = try TestDomain.require()
        let (_, cache) = try loggedIn(domain, credentials: domain.allowedCredentialsFile)
        let connection = try DirectoryConnection(to: domain.controller, transport: .plain)
        let strength = try connection.bindGSSAPI(credentials: cache)
        XCTAssertGreaterThanOrEqual(strength, 56)
        let record = try connection.readManagedServiceAccount("WebApp01", domainDN: domain.domainDN)
        XCTAssertEqual(record.samAccountName, "WebApp01$")
        XCTAssertGreaterThan(record.managedPasswordBlob.count, 256)
        XCTAssertGreaterThanOrEqual(record.keyVersionNumber, 1)
        XCTAssertEqual(Set(record.servicePrincipalNames), ["host/WebApp01", "host/webapp01.\(domain.dnsDomain)"])
        XCTAssertEqual(record.supportedEncryptionTypes, 28)
        XCTAssertEqual(record.dnsHostName, "webapp01.\(domain.dnsDomain)")
        XCTAssertTrue(record.objectSid?.description.hasPrefix(domain["DOMAIN_SID"] + "-") ?? false)
        XCTAssertFalse(record.isDisabled)
    }

    func testUserOutsideTheAllowedGroupGetsNotAllowedError() throws {
        let domain = try TestDomain.require()
        let (_, cache) = try loggedIn(domain, credentials: domain.outsiderCredentialsFile)
        let connection = try DirectoryConnection(to: domain.controller, transport: .plain)
        try connection.bindGSSAPI(credentials: cache)
        XCTAssertThrowsError(try connection.readManagedServiceAccount("WebApp01", domainDN: domain.domainDN)) { error in
            XCTAssertEqual(error as? DirectoryError, .accessDenied(account: "WebApp01$", reader: "\(domain["OUTSIDER_USER"])@\(domain.realm)"))
            XCTAssertEqual(
                "\(error)",
                "\(domain["OUTSIDER_USER"])@\(domain.realm) is not allowed to retrieve the managed password of WebApp01$ (check PrincipalsAllowedToRetrieveManagedPassword)."
            )
        }
    }

    func testSignOnlyBindIsRefusedThePasswordWithConfidentialityError() throws {
        let domain = try TestDomain.require()
        let (_, cache) = try loggedIn(domain, credentials: domain.allowedCredentialsFile)
        let connection = try DirectoryConnection(to: domain.controller, transport: .plain)
        let strength = try connection.bindGSSAPI(credentials: cache, protection: .signedOnly)
        XCTAssertLessThan(strength, 56)
        XCTAssertThrowsError(try connection.readManagedServiceAccount("WebApp01", domainDN: domain.domainDN)) { error in
            guard case .confidentialityRequired = error as? DirectoryError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("requires an encrypted connection"), "\(error)")
        }
    }

    func testUnknownAccountIsReportedAsNotFound() throws {
        let domain = try TestDomain.require()
        let (_, cache) = try loggedIn(domain, credentials: domain.allowedCredentialsFile)
        let connection = try DirectoryConnection(to: domain.controller, transport: .plain)
        try connection.bindGSSAPI(credentials: cache)
        XCTAssertThrowsError(try connection.readManagedServiceAccount("NoSuchGmsa", domainDN: domain.domainDN)) { error in
            XCTAssertEqual(error as? DirectoryError, .accountNotFound(account: "NoSuchGmsa$", searchBase: domain.domainDN))
        }
    }

    func testUnreachableControllerIsReportedAsUnreachable() throws {
        let domain = try TestDomain.require()
        let nowhere = DomainController(hostName: domain.controller.hostName, address: "127.0.0.1", ldapPort: 1)
        XCTAssertThrowsError(try DirectoryConnection(to: nowhere, transport: .plain)) { error in
            guard case let .unreachable(_, reason) = error as? DirectoryError else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("refused"), reason)
        }
    }

    func testLDAPSSimpleBindReadsTheManagedPassword() throws {
        let domain = try TestDomain.require()
        let (user, password) = try domain.credentials(domain.allowedCredentialsFile)
        let connection = try DirectoryConnection(to: domain.controller, transport: .tls(caFile: domain.caFile))
        try connection.bindSimple(user: "\(user)@\(domain.dnsDomain)", password: password)
        let record = try connection.readManagedServiceAccount("WebApp01", domainDN: domain.domainDN)
        XCTAssertGreaterThan(record.managedPasswordBlob.count, 256)
    }

    func testLDAPSSimpleBindWithWrongPasswordIsRefused() throws {
        let domain = try TestDomain.require()
        let (user, _) = try domain.credentials(domain.allowedCredentialsFile)
        let connection = try DirectoryConnection(to: domain.controller, transport: .tls(caFile: domain.caFile))
        XCTAssertThrowsError(try connection.bindSimple(user: "\(user)@\(domain.dnsDomain)", password: SecretBytes(Array("wrong".utf8)))) { error in
            guard case let .bindRefused(_, mechanism, reason) = error as? DirectoryError else { return XCTFail("\(error)") }
            XCTAssertEqual(mechanism, "simple")
            XCTAssertTrue(reason.contains("Invalid credentials"), reason)
        }
    }

    func testSimpleBindIsNotSentOverPlainLDAP() throws {
        let domain = try TestDomain.require()
        let connection = try DirectoryConnection(to: domain.controller, transport: .plain)
        XCTAssertThrowsError(try connection.bindSimple(user: "x", password: SecretBytes(Array("y".utf8)))) { error in
            guard case .bindRefused(_, "simple", _) = error as? DirectoryError else { return XCTFail("\(error)") }
        }
    }
}
