import KerberosKeys
import XCTest

final class EncryptionTypeTests: XCTestCase {
    func testNamesAreMITsAsKlistPrintsThem() {
        XCTAssertEqual(EncryptionType.aes256CtsHmacSha196.name, "aes256-cts-hmac-sha1-96")
        XCTAssertEqual(EncryptionType.aes128CtsHmacSha196.name, "aes128-cts-hmac-sha1-96")
        XCTAssertEqual(EncryptionType.rc4Hmac.name, "arcfour-hmac")
        XCTAssertEqual("\(EncryptionType.rc4Hmac)", "arcfour-hmac")
    }

    func testRawValuesAreTheIANANumbers() {
        XCTAssertEqual(EncryptionType.allCases.map(\.rawValue), [18, 17, 23])
        XCTAssertEqual(EncryptionType.allCases.map(\.keyLength), [32, 16, 16])
    }

    func testNamesAndAliasesParseCaseInsensitively() {
        for type in EncryptionType.allCases { XCTAssertEqual(EncryptionType(name: type.name), type) }
        XCTAssertEqual(EncryptionType(name: "aes256-cts"), .aes256CtsHmacSha196)
        XCTAssertEqual(EncryptionType(name: "AES256-CTS-HMAC-SHA1-96"), .aes256CtsHmacSha196)
        XCTAssertEqual(EncryptionType(name: "aes128-cts"), .aes128CtsHmacSha196)
        XCTAssertEqual(EncryptionType(name: "aes128-sha1"), .aes128CtsHmacSha196)
        XCTAssertEqual(EncryptionType(name: "rc4-hmac"), .rc4Hmac)
        XCTAssertEqual(EncryptionType(name: "ARCFOUR-HMAC-MD5"), .rc4Hmac)
    }

    func testUnknownNamesAreRejected() {
        for name in ["", "des-cbc-crc", "aes256-cts-hmac-sha384-192", "arcfour-hmac-exp", "aes"] {
            XCTAssertNil(EncryptionType(name: name), name)
        }
    }

    func testMissingOrZeroAttributeMeansAllThree() {
        let all: [EncryptionType] = [.aes256CtsHmacSha196, .aes128CtsHmacSha196, .rc4Hmac]
        XCTAssertEqual(SupportedEncryptionTypes.encryptionTypes(fromAttribute: nil), all)
        XCTAssertEqual(SupportedEncryptionTypes.encryptionTypes(fromAttribute: 0), all)
    }

    func testAttributeBitsSelectTypesStrongestFirst() {
        XCTAssertEqual(SupportedEncryptionTypes.encryptionTypes(fromAttribute: 28), [.aes256CtsHmacSha196, .aes128CtsHmacSha196, .rc4Hmac])
        XCTAssertEqual(SupportedEncryptionTypes.encryptionTypes(fromAttribute: 24), [.aes256CtsHmacSha196, .aes128CtsHmacSha196])
        XCTAssertEqual(SupportedEncryptionTypes.encryptionTypes(fromAttribute: 4), [.rc4Hmac])
        XCTAssertEqual(SupportedEncryptionTypes.encryptionTypes(fromAttribute: 0x10 | 0x20), [.aes256CtsHmacSha196])
    }

    func testAttributeWithOnlyUnknownBitsMeansAllThree() {
        let all: [EncryptionType] = [.aes256CtsHmacSha196, .aes128CtsHmacSha196, .rc4Hmac]
        XCTAssertEqual(SupportedEncryptionTypes.encryptionTypes(fromAttribute: 0x20), all)
        XCTAssertEqual(SupportedEncryptionTypes.encryptionTypes(fromAttribute: 0x3), all, "DES only")
    }

    func testOptionSetListsExactlyItsBits() {
        XCTAssertEqual(SupportedEncryptionTypes([.aes128, .rc4Hmac]).encryptionTypes, [.aes128CtsHmacSha196, .rc4Hmac])
        XCTAssertEqual(SupportedEncryptionTypes().encryptionTypes, [])
        XCTAssertEqual(SupportedEncryptionTypes.all.rawValue, 0x1C)
        XCTAssertEqual(SupportedEncryptionTypes(.aes256CtsHmacSha196), .aes256)
    }
}
