import KerberosKeys
import XCTest

/// Expected keys come from the independent Python oracle (RFC 3961/3962 over the U+FFFD-repaired
/// UTF-8; pure-Python MD4 over the raw UTF-16LE).
final class KeyDerivationTests: XCTestCase {
    let salt = Salt.computerAccount(realm: "contoso.test", accountName: "WebApp01$", dnsDomain: "CONTOSO.TEST")
    let surrogatePassword = password([0x0041, 0xD800, 0x0042, 0xDC00, 0xD83D, 0xDE00, 0xDFFF, 0xDBFF])

    func testUnpairedSurrogatePasswordGivesTheOracleKeysStrongestFirst() throws {
        XCTAssertEqual(array(surrogatePassword.kerberosUTF8()), bytes(hex: "41efbfbd42efbfbdf09f9880efbfbdefbfbd"))
        let keys = try KeyDerivation.keys(for: surrogatePassword, salt: salt, encryptionTypes: [.rc4Hmac, .aes128CtsHmacSha196, .aes256CtsHmacSha196])
        XCTAssertEqual(keys.map(\.encryptionType), [.aes256CtsHmacSha196, .aes128CtsHmacSha196, .rc4Hmac])
        XCTAssertEqual(
            keys.map { hex($0.bytes) },
            [
                "b02e7cd8518cc51c8ef238f9f9c4e64c0d13eefb185df4678607f02f92aec203",
                "f415780b0d05cf60d5d321be71142f37",
                "e4a1be55ce5c45237af66332881bdd1a",
            ])
    }

    func testRealisticRandomPasswordGivesTheOracleKeys() throws {
        let keys = try KeyDerivation.keys(
            for: password(BlobFixture.randomPassword(seed: 0x6D7361)), salt: salt, encryptionTypes: EncryptionType.allCases)
        XCTAssertEqual(
            keys.map { hex($0.bytes) },
            [
                "3bc4b52b5ae19ef4e7ce827fe0d37cba7d94f3fd86f076118fc172fc4228b370",
                "15763e6ca6d134b41a78944db656cade",
                "82ed8c40ea19094fd8a1929f66794ff6",
            ])
    }

    func testKeysFromADecodedBlobMatchKeysFromThePassword() throws {
        let units = BlobFixture.randomPassword(seed: 0x6D7361)
        let blob = try ManagedPasswordBlob(decoding: BlobFixture(current: units).bytes)
        let fromBlob = try KeyDerivation.keys(for: blob.currentPassword, salt: salt, encryptionTypes: [.aes128CtsHmacSha196])
        XCTAssertEqual(fromBlob.map { hex($0.bytes) }, ["15763e6ca6d134b41a78944db656cade"])
    }

    func testOnlyTheRequestedTypesAreDerivedOnceEach() throws {
        let keys = try KeyDerivation.keys(for: surrogatePassword, salt: salt, encryptionTypes: [.rc4Hmac, .aes256CtsHmacSha196, .rc4Hmac])
        XCTAssertEqual(keys.map(\.encryptionType), [.aes256CtsHmacSha196, .rc4Hmac])
        XCTAssertEqual(try KeyDerivation.keys(for: surrogatePassword, salt: salt, encryptionTypes: []), [])
    }

    func testAESKeysDependOnTheSalt() throws {
        let other = Salt.computerAccount(realm: "CONTOSO.TEST", accountName: "WebApp02$", dnsDomain: "contoso.test")
        let first = try KeyDerivation.keys(for: surrogatePassword, salt: salt, encryptionTypes: EncryptionType.allCases)
        let second = try KeyDerivation.keys(for: surrogatePassword, salt: other, encryptionTypes: EncryptionType.allCases)
        XCTAssertNotEqual(first[0], second[0])
        XCTAssertNotEqual(first[1], second[1])
        XCTAssertEqual(first[2], second[2], "RC4 has no salt")
    }

    func testErrorDescriptionsSayWhatToDo() {
        let md4 = KeyDerivationError.md4Unavailable(openSSLError: "unable to load provider legacy")
        XCTAssertTrue(md4.description.contains("legacy provider is missing"), md4.description)
        XCTAssertTrue(md4.description.contains("ossl-modules/legacy.so"), md4.description)
        let krb5 = KeyDerivationError.stringToKeyFailed(
            .aes128CtsHmacSha196, iterations: 1, code: -1765328140, message: "Invalid key generation parameters from KDC")
        XCTAssertTrue(krb5.description.contains("aes128-cts-hmac-sha1-96") && krb5.description.contains("-1765328140"), krb5.description)
    }
}
