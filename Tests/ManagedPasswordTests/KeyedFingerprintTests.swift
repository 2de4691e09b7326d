@testable import KerberosKeys
import XCTest

final class KeyedFingerprintTests: XCTestCase {
    func testHMACSHA256MatchesRFC4231TestCase2() throws {
        let fingerprint = KeyedFingerprint(key: SecretBytes(Array("Jefe".utf8)))
        let mac = try fingerprint.of(SecretBytes(Array("what do ya want for nothing?".utf8)))
        XCTAssertEqual(
            mac.map { String(format: "%02x", $0) }.joined(),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")
    }

    func testEachProcessKeyGivesAnotherFingerprint() throws {
        let input = SecretBytes(Array("password".utf8))
        XCTAssertNotEqual(try KeyedFingerprint().of(input), try KeyedFingerprint().of(input))
        let one = KeyedFingerprint()
        XCTAssertEqual(try one.of(input), try one.of(SecretBytes(Array("password".utf8))))
    }
}
