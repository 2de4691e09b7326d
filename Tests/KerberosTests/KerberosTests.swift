import DurableFiles
import Foundation
import Kerberos
import KerberosKeys
import TestSupport
import XCTest

/// libkrb5's local operations (no KDC): principals, keytabs, configuration.
final class KerberosTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try temporaryDirectory("kerberos")
    }

    private func context() throws -> KerberosContext {
        let path = directory + "/krb5.conf"
        try KerberosConfiguration(defaultRealm: "CONTOSO.TEST", realms: [.init(name: "CONTOSO.TEST", dnsDomain: "contoso.test", kdcs: ["127.0.0.1:88"])])
            .rendered().write(toFile: path, atomically: true, encoding: .utf8)
        return try KerberosContext(configurationFile: path)
    }

    func testPrincipalWithoutRealmGetsTheDefaultRealm() throws {
        let principal = try Principal(parsing: "WebApp01$", context: try context())
        XCTAssertEqual(principal.name, "WebApp01$@CONTOSO.TEST")
        XCTAssertEqual(principal.realm, "CONTOSO.TEST")
        XCTAssertEqual(try Principal(parsing: "host/web.contoso.test@OTHER.TEST", context: try context()).realm, "OTHER.TEST")
    }

    func testMalformedPrincipalIsABadInputError() throws {
        XCTAssertThrowsError(try Principal(parsing: "a@B@C", context: try context())) { error in
            XCTAssertEqual((error as? KerberosError)?.kind, .badInput, "\(error)")
            XCTAssertTrue("\(error)".hasPrefix("cannot parse the principal name \"a@B@C\""), "\(error)")
        }
    }

    func testKeytabIsWrittenAtomicallyWithMode0600AndListsEveryEntry() throws {
        let context = try context()
        let aes = KerberosKey(encryptionType: .aes256CtsHmacSha196, bytes: SecretBytes([UInt8](repeating: 7, count: 32)))
        let rc4 = KerberosKey(encryptionType: .rc4Hmac, bytes: SecretBytes([UInt8](repeating: 9, count: 16)))
        let entries = [
            KeytabEntry(principal: "WebApp01$@CONTOSO.TEST", keyVersionNumber: 3, key: aes),
            KeytabEntry(principal: "WebApp01$@CONTOSO.TEST", keyVersionNumber: 3, key: rc4),
            KeytabEntry(principal: "host/webapp01.contoso.test@CONTOSO.TEST", keyVersionNumber: 2, key: aes),
        ]
        let path = directory + "/krb5.keytab"
        try Keytab.write(entries, to: path, ownership: .privateToCaller, context: context)
        let listing = try Keytab(path: path, context: context).listing()
        XCTAssertEqual(
            listing.map { "\($0.principal) \($0.keyVersionNumber) \($0.encryptionType)" },
            [
                "WebApp01$@CONTOSO.TEST 3 18", "WebApp01$@CONTOSO.TEST 3 23", "host/webapp01.contoso.test@CONTOSO.TEST 2 18",
            ])
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)

        // Rewriting replaces, never appends.
        try Keytab.write(Array(entries.prefix(1)), to: path, ownership: .privateToCaller, context: context)
        XCTAssertEqual(try Keytab(path: path, context: context).listing().count, 1)
    }

    func testInMemoryCacheHasAMemoryName() throws {
        let cache = try CredentialsCache.newInMemory(context: try context())
        XCTAssertTrue(cache.name.hasPrefix("MEMORY:"), cache.name)
        XCTAssertNil(cache.principalName, "an empty cache belongs to nobody")
    }

    func testUnreachableKDCIsClassifiedSo() throws {
        let path = directory + "/krb5.conf"
        // Port 1 on loopback: nothing listens, the connection is refused at once.
        try KerberosConfiguration(defaultRealm: "CONTOSO.TEST", realms: [.init(name: "CONTOSO.TEST", dnsDomain: "contoso.test", kdcs: ["127.0.0.1:1"])])
            .rendered().write(toFile: path, atomically: true, encoding: .utf8)
        let context = try KerberosContext(configurationFile: path)
        let cache = try CredentialsCache.newInMemory(context: context)
        let user = try Principal(parsing: "user@CONTOSO.TEST", context: context)
        XCTAssertThrowsError(try context.obtainTicket(for: user, password: SecretBytes(Array("x".utf8)), into: cache)) { error in
            XCTAssertEqual((error as? KerberosError)?.kind, .kdcUnreachable, "\(error)")
            XCTAssertTrue("\(error)".contains("no KDC answered"), "\(error)")
        }
    }

    func testPasswordWithNULIsRefusedBeforeTheKDC() throws {
        let context = try context()
        let cache = try CredentialsCache.newInMemory(context: context)
        let user = try Principal(parsing: "user", context: context)
        XCTAssertThrowsError(try context.obtainTicket(for: user, password: SecretBytes([0x61, 0, 0x62]), into: cache)) { error in
            XCTAssertEqual((error as? KerberosError)?.kind, .badInput)
            XCTAssertTrue("\(error)".contains("contains a NUL character"), "\(error)")
        }
    }

    func testMissingConfigurationFileIsNamed() {
        XCTAssertThrowsError(try KerberosContext(configurationFile: directory + "/none.conf")) { error in
            XCTAssertTrue("\(error)".contains("\(directory)/none.conf"), "\(error)")
        }
    }

    func testConfigurationRendersRealmsKDCsAndDomainMapping() {
        let text = KerberosConfiguration(
            defaultRealm: "CONTOSO.COM",
            realms: [
                .init(name: "CONTOSO.COM", dnsDomain: "Contoso.com", kdcs: ["dc1.contoso.com:88", "[2001:db8::1]:88"])
            ]
        ).rendered()
        XCTAssertTrue(text.contains("default_realm = CONTOSO.COM"))
        XCTAssertTrue(text.contains("dns_lookup_kdc = false"))
        XCTAssertTrue(text.contains("\t\tkdc = dc1.contoso.com:88\n\t\tkdc = [2001:db8::1]:88\n"))
        XCTAssertTrue(text.contains("\t.contoso.com = CONTOSO.COM\n\tcontoso.com = CONTOSO.COM\n"))
        XCTAssertTrue(text.contains("udp_preference_limit = 1"))
    }

    func testRealmWithoutKDCsTurnsOnDNSLookup() {
        let text = KerberosConfiguration(defaultRealm: "X.TEST", realms: [.init(name: "X.TEST", dnsDomain: "x.test", kdcs: [])]).rendered()
        XCTAssertTrue(text.contains("dns_lookup_kdc = true"))
    }
}
