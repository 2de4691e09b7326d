import KerberosKeys
import TestSupport
import XCTest

final class KerberosUTF8Tests: XCTestCase {
    private func utf8(_ units: [UInt16]) -> [UInt8] {
        array(password(units).kerberosUTF8())
    }

    func testASCIIPasswordIsUnchanged() {
        XCTAssertEqual(utf8(Array("password".utf16)), Array("password".utf8))
    }

    func testBMPCharactersBecomeTheirUTF8() {
        XCTAssertEqual(utf8([0x00E9, 0x20AC, 0xFFFF]), bytes(hex: "c3a9 e282ac efbfbf"))
    }

    func testUnpairedSurrogateBecomesReplacementCharacter() {
        XCTAssertEqual(utf8([0x41, 0xD800, 0x42]), bytes(hex: "41 efbfbd 42"), "lone high surrogate")
        XCTAssertEqual(utf8([0x41, 0xDC00, 0x42]), bytes(hex: "41 efbfbd 42"), "lone low surrogate")
    }

    func testHighSurrogateAtEndBecomesReplacementCharacter() {
        XCTAssertEqual(utf8([0x41, 0xD83D]), bytes(hex: "41 efbfbd"))
    }

    func testReversedPairBecomesTwoReplacementCharacters() {
        XCTAssertEqual(utf8([0xDE00, 0xD83D]), bytes(hex: "efbfbd efbfbd"))
    }

    func testProperPairBecomesOneFourByteSequence() {
        XCTAssertEqual(utf8([0xD83D, 0xDE00]), bytes(hex: "f09f9880"), "U+1F600")
        XCTAssertEqual(utf8([0xD834, 0xDD1E]), bytes(hex: "f09d849e"), "U+1D11E, RFC 3962's g-clef")
    }

    func testHighSurrogateBeforeAPairIsReplacedAndThePairKept() {
        XCTAssertEqual(utf8([0xD800, 0xD800, 0xDC00]), bytes(hex: "efbfbd f0908080"))
    }

    func testStrayOddByteBecomesReplacementCharacter() {
        let odd = ManagedPassword(utf16LittleEndian: SecretBytes([0x41, 0x00, 0x42]))
        XCTAssertEqual(array(odd.kerberosUTF8()), bytes(hex: "41 efbfbd"))
    }

    func testEmptyPasswordGivesEmptyUTF8() {
        XCTAssertEqual(password([]).kerberosUTF8().count, 0)
    }

    /// Swift's own repairing UTF-16 decoder follows the same one-U+FFFD-per-unpaired-surrogate rule.
    func testMatchesSwiftsRepairingDecoderOnRandomUnits() {
        var generator = SplitMix64(state: 42)
        for _ in 0..<500 {
            // Bias towards surrogates, where the two could disagree.
            let units = (0..<Int.random(in: 0...40, using: &generator)).map { _ -> UInt16 in
                Bool.random(using: &generator)
                    ? UInt16.random(in: 0xD7FF...0xE000, using: &generator) : UInt16.random(in: 1...0xFFFF, using: &generator)
            }
            XCTAssertEqual(utf8(units), Array(String(decoding: units, as: UTF16.self).utf8), "\(units)")
        }
    }

    func testRealisticRandomPasswordConvertsAsTheOracleDoes() {
        // 128 random units with 4 unpaired surrogates: the normal case for a gMSA. The oracle
        // (Python, same SplitMix64) gives 380 bytes of UTF-8 with this SHA-256 prefix.
        let utf8 = password(BlobFixture.randomPassword(seed: 0x6D7361)).kerberosUTF8()
        XCTAssertEqual(utf8.count, 380)
        XCTAssertEqual(KerberosKey(encryptionType: .aes256CtsHmacSha196, bytes: utf8).fingerprint, "383dab773a6d9646")
    }
}
