import KerberosKeys
import XCTest

final class KerberosKeyTests: XCTestCase {
    let key = KerberosKey(encryptionType: .rc4Hmac, bytes: SecretBytes(bytes(hex: "8846f7eaee8fb117ad06bdd830b7586c")))

    func testFingerprintIsTheFirstEightBytesOfSHA256() {
        // sha256(8846f7ea…586c)[:8], from Python's hashlib.
        XCTAssertEqual(key.fingerprint, "de3400aaf828ec33")
    }

    func testDescriptionsNameTheTypeAndFingerprintButNotTheKey() {
        for text in [key.description, key.debugDescription, "\(key)", String(reflecting: key), dumped(key)] {
            XCTAssertTrue(text.contains("arcfour-hmac"), text)
            XCTAssertTrue(text.contains("de3400aaf828ec33"), text)
            XCTAssertFalse(text.lowercased().contains("8846f7"), text)
            XCTAssertFalse(text.contains("136"), text) // 0x88 in decimal
        }
    }

    func testKeysWithTheSameTypeAndBytesAreEqual() {
        XCTAssertEqual(key, KerberosKey(encryptionType: .rc4Hmac, bytes: SecretBytes(bytes(hex: "8846f7eaee8fb117ad06bdd830b7586c"))))
        XCTAssertNotEqual(key, KerberosKey(encryptionType: .aes128CtsHmacSha196, bytes: key.bytes))
    }
}
