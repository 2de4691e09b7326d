import Directory
import XCTest
import DomainModel

final class DirectoryValueTests: XCTestCase {
    func testBinarySIDDecodesToItsTextForm() {
        // S-1-5-21-1-2-3-1105: revision 1, 5 sub-authorities, authority 5 (big endian), sub-authorities little endian.
        let bytes: [UInt8] = [1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 0x51, 0x04, 0, 0]
        XCTAssertEqual(SecurityIdentifier(binary: bytes)?.description, "S-1-5-21-1-2-3-1105")
    }

    func testTruncatedOrWrongRevisionSIDIsRejected() {
        XCTAssertNil(SecurityIdentifier(binary: [1, 2, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0]))
        XCTAssertNil(SecurityIdentifier(binary: [2, 0, 0, 0, 0, 0, 0, 5]))
        XCTAssertNil(SecurityIdentifier(binary: []))
    }

    func testObjectGUIDUsesLittleEndianFirstFields() {
        // AD stores {00112233-4455-6677-8899-aabbccddeeff} as 33 22 11 00 55 44 77 66 88 99 aa …
        let bytes: [UInt8] = [0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE, 0xFF]
        XCTAssertEqual(formatObjectGUID(bytes), "00112233-4455-6677-8899-aabbccddeeff")
        XCTAssertNil(formatObjectGUID([1, 2, 3]))
    }

    func testFilterValuesAreEscapedPerRFC4515() {
        XCTAssertEqual(ldapFilterEscape("a*b(c)d\\e"), "a\\2ab\\28c\\29d\\5ce")
        XCTAssertEqual(ldapFilterEscape("WebApp01$"), "WebApp01$")
        XCTAssertEqual(ldapFilterEscape("Ünïcode"), "Ünïcode")
    }

    func testDomainControllerParsesNameAddressAndPort() {
        XCTAssertEqual(DomainController(parsing: "dc1.contoso.com"), DomainController(hostName: "dc1.contoso.com"))
        XCTAssertEqual(
            DomainController(parsing: "dc1.contoso.com=192.0.2.10"),
            DomainController(hostName: "dc1.contoso.com", address: "192.0.2.10"))
        XCTAssertEqual(
            DomainController(parsing: "dc1.contoso.com=192.0.2.10:3890"),
            DomainController(hostName: "dc1.contoso.com", address: "192.0.2.10", ldapPort: 3890))
        XCTAssertEqual(DomainController(parsing: "dc1=[::1]"), DomainController(hostName: "dc1", address: "::1"))
        XCTAssertNil(DomainController(parsing: ""))
        XCTAssertNil(DomainController(parsing: "dc1=192.0.2.10:port"))
        XCTAssertNil(DomainController(parsing: "dc1="))
    }

    func testDomainDistinguishedNameComesFromTheDNSName() {
        XCTAssertEqual(DirectoryConnection.distinguishedName(ofDNSDomain: "corp.contoso.com"), "DC=corp,DC=contoso,DC=com")
    }

    func testAccessDeniedMessageNamesAccountReaderAndFix() {
        let error = DirectoryError.accessDenied(account: "WebApp01$", reader: "bob@CONTOSO.COM")
        XCTAssertEqual(
            "\(error)", "bob@CONTOSO.COM is not allowed to retrieve the managed password of WebApp01$ (check PrincipalsAllowedToRetrieveManagedPassword).")
    }
}
