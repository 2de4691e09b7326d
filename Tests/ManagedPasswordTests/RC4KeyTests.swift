import KerberosKeys
import XCTest

final class RC4KeyTests: XCTestCase {
    private func ntHash(_ units: [UInt16]) throws -> String {
        hex(try KeyDerivation.rc4Key(utf16LittleEndian: SecretBytes(utf16LittleEndian(units))).bytes)
    }

    func testNTHashOfPasswordIsTheWellKnownValue() throws {
        XCTAssertEqual(try ntHash(Array("password".utf16)), "8846f7eaee8fb117ad06bdd830b7586c")
    }

    func testNTHashOfEmptyPasswordIsTheWellKnownValue() throws {
        XCTAssertEqual(try ntHash([]), "31d6cfe0d16ae931b73c59d7e0c089c0")
    }

    func testNTHashMatchesAnIndependentMD4() throws {
        // A pure-Python MD4 (checked against RFC 1320's "abc" vector) gave this value.
        XCTAssertEqual(try ntHash(Array("Secret123!".utf16)), "59c33a2751c7dad20de6fc7e03891bdb")
    }

    func testUnpairedSurrogatesAreHashedRawWithoutConversion() throws {
        XCTAssertEqual(try ntHash([0x0041, 0xD800, 0x0042, 0xDC00, 0xD83D, 0xDE00, 0xDFFF, 0xDBFF]), "e4a1be55ce5c45237af66332881bdd1a")
    }

    func testRC4KeyHasTheRC4Type() throws {
        let key = try KeyDerivation.rc4Key(utf16LittleEndian: SecretBytes([0x61, 0x00]))
        XCTAssertEqual(key.encryptionType, .rc4Hmac)
        XCTAssertEqual(key.bytes.count, 16)
    }

    func testConcurrentRC4DerivationsAgree() async throws {
        // The OpenSSL context is created once, lazily, from whichever thread comes first.
        let results = try await withThrowingTaskGroup(of: String.self) { group in
            for _ in 0..<16 {
                group.addTask { hex(try KeyDerivation.rc4Key(utf16LittleEndian: SecretBytes(utf16LittleEndian(Array("password".utf16)))).bytes) }
            }
            return try await group.reduce(into: Set<String>()) { $0.insert($1) }
        }
        XCTAssertEqual(results, ["8846f7eaee8fb117ad06bdd830b7586c"])
    }
}
