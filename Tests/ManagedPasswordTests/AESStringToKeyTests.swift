import KerberosKeys
import XCTest

/// RFC 3962 Appendix B, through libkrb5. Values cross-checked in two independent transcriptions and
/// reproduced by an independent Python RFC 3961/3962 implementation (hashlib PBKDF2 + AES-ECB DK).
final class AESStringToKeyTests: XCTestCase {
    struct Vector {
        let password: [UInt8]
        let salt: String
        let iterations: UInt32
        let aes128: String
        let aes256: String
    }

    static let rfc3962: [Vector] = [
        Vector(
            password: Array("password".utf8), salt: "ATHENA.MIT.EDUraeburn", iterations: 1,
            aes128: "42 26 3c 6e 89 f4 fc 28 b8 df 68 ee 09 79 9f 15",
            aes256: "fe 69 7b 52 bc 0d 3c e1 44 32 ba 03 6a 92 e6 5b bb 52 28 09 90 a2 fa 27 88 39 98 d7 2a f3 01 61"),
        Vector(
            password: Array("password".utf8), salt: "ATHENA.MIT.EDUraeburn", iterations: 2,
            aes128: "c6 51 bf 29 e2 30 0a c2 7f a4 69 d6 93 bd da 13",
            aes256: "a2 e1 6d 16 b3 60 69 c1 35 d5 e9 d2 e2 5f 89 61 02 68 56 18 b9 59 14 b4 67 c6 76 22 22 58 24 ff"),
        Vector(
            password: Array("password".utf8), salt: "ATHENA.MIT.EDUraeburn", iterations: 1200,
            aes128: "4c 01 cd 46 d6 32 d0 1e 6d be 23 0a 01 ed 64 2a",
            aes256: "55 a6 ac 74 0a d1 7b 48 46 94 10 51 e1 e8 b0 a7 54 8d 93 b0 ab 30 a8 bc 3f f1 62 80 38 2b 8c 2a"),
        Vector(
            password: Array("password".utf8),
            salt: String(decoding: [0x12, 0x34, 0x56, 0x78, 0x78, 0x56, 0x34, 0x12], as: UTF8.self), iterations: 5,
            aes128: "e9 b2 3d 52 27 37 47 dd 5c 35 cb 55 be 61 9d 8e",
            aes256: "97 a4 e7 86 be 20 d8 1a 38 2d 5e bc 96 d5 90 9c ab cd ad c8 7c a4 8f 57 45 04 15 9f 16 c3 6e 31"),
        Vector(
            password: [UInt8](repeating: 0x58, count: 64), salt: "pass phrase equals block size", iterations: 1200,
            aes128: "59 d1 bb 78 9a 82 8b 1a a5 4e f9 c2 88 3f 69 ed",
            aes256: "89 ad ee 36 08 db 8b c7 1f 1b fb fe 45 94 86 b0 56 18 b7 0c ba e2 20 92 53 4e 56 c5 53 ba 4b 34"),
        Vector(
            password: [UInt8](repeating: 0x58, count: 65), salt: "pass phrase exceeds block size", iterations: 1200,
            aes128: "cb 80 05 dc 5f 90 17 9a 7f 02 10 4c 00 18 75 1d",
            aes256: "d7 8c 5c 9c b8 72 a8 c9 da d4 69 7f 0b b5 b2 d2 14 96 c8 2b eb 2c ae da 21 12 fc ee a0 57 40 1b"),
        Vector(
            password: [0xF0, 0x9D, 0x84, 0x9E], salt: "EXAMPLE.COMpianist", iterations: 50,
            aes128: "f1 49 c1 f2 e1 54 a7 34 52 d4 3e 7f e6 2a 56 e5",
            aes256: "4b 6d 98 39 f8 44 06 df 1f 09 cc 16 6d b4 b8 3c 57 18 48 b7 84 a3 d6 bd c3 46 58 9a 3e 39 3f 9e"),
    ]

    override func setUp() {
        super.setUp()
        XCTAssertTrue(WeakIterations.allowed, "k5_allow_weak_pbkdf2iter not found in libk5crypto")
    }

    func testRFC3962VectorsGiveTheirAES128Keys() throws {
        for vector in Self.rfc3962 {
            let key = try KeyDerivation.aesKey(
                .aes128CtsHmacSha196, passwordUTF8: SecretBytes(vector.password), salt: Salt(vector.salt), iterations: vector.iterations)
            XCTAssertEqual(key.encryptionType, .aes128CtsHmacSha196)
            XCTAssertEqual(array(key.bytes), bytes(hex: vector.aes128), "\(vector.salt) × \(vector.iterations)")
        }
    }

    func testRFC3962VectorsGiveTheirAES256Keys() throws {
        for vector in Self.rfc3962 {
            let key = try KeyDerivation.aesKey(
                .aes256CtsHmacSha196, passwordUTF8: SecretBytes(vector.password), salt: Salt(vector.salt), iterations: vector.iterations)
            XCTAssertEqual(key.encryptionType, .aes256CtsHmacSha196)
            XCTAssertEqual(array(key.bytes), bytes(hex: vector.aes256), "\(vector.salt) × \(vector.iterations)")
        }
    }

    func testDefaultFourThousandNinetySixIterationsMatchTheOracle() throws {
        // Computed by the independent Python oracle after it reproduced every RFC 3962 vector.
        let salt = Salt("CONTOSO.TESThostwebapp01.contoso.test")
        let password = SecretBytes(Array("password".utf8))
        XCTAssertEqual(
            hex(try KeyDerivation.aesKey(.aes128CtsHmacSha196, passwordUTF8: password, salt: salt).bytes),
            "31e101eca1135eb6a6d5906917805317")
        XCTAssertEqual(
            hex(try KeyDerivation.aesKey(.aes256CtsHmacSha196, passwordUTF8: password, salt: salt).bytes),
            "b1f2e8bdc2d5f4ff6d0d870ba60f03677541db9c977b7f6577bd17f69f8aeecf")
    }

    func testEmptyPasswordDerivesTheOracleKey() throws {
        let salt = Salt("CONTOSO.TESThostwebapp01.contoso.test")
        XCTAssertEqual(
            hex(try KeyDerivation.aesKey(.aes128CtsHmacSha196, passwordUTF8: SecretBytes([]), salt: salt).bytes),
            "9b3ff29e8a441696c666555f008c3a96")
        XCTAssertEqual(
            hex(try KeyDerivation.aesKey(.aes256CtsHmacSha196, passwordUTF8: SecretBytes([]), salt: salt).bytes),
            "4575153c25d13af3c507c59984f211d3b1d83f3c56f78a4bd1af88e43b30cca1")
    }

    func testRC4IsNotAnAESType() {
        XCTAssertThrowsError(
            try KeyDerivation.aesKey(.rc4Hmac, passwordUTF8: SecretBytes([0x61]), salt: Salt("S"))
        ) { error in
            XCTAssertEqual(error as? KeyDerivationError, .notAnAESEncryptionType(.rc4Hmac))
        }
    }

    func testZeroIterationsIsAClearLibkrb5Error() {
        XCTAssertThrowsError(
            try KeyDerivation.aesKey(.aes256CtsHmacSha196, passwordUTF8: SecretBytes([0x61]), salt: Salt("S"), iterations: 0)
        ) { error in
            guard case .stringToKeyFailed(.aes256CtsHmacSha196, iterations: 0, code: _, message: let message)? = error as? KeyDerivationError else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertFalse(message.isEmpty)
            XCTAssertTrue("\(error)".contains("0 iterations"))
        }
    }
}
