import CredSpec
import Foundation
import XCTest

final class EncodingTests: XCTestCase {
    private let saveAdvice = "save it as UTF-8, or as UTF-16 with a byte order mark."

    func testEncodedFixturesHoldTheSameTextAsTheUTF8One() throws {
        // Checked with Foundation's decoders, so the fixtures do not depend on the code under test.
        let text = try XCTUnwrap(String(data: Fixture.data("new-credentialspec.json"), encoding: .utf8))
        let utf8 = try Fixture.data("new-credentialspec-utf8-bom.json")
        let utf16LE = try Fixture.data("new-credentialspec-utf16le-bom.json")
        let utf16BE = try Fixture.data("new-credentialspec-utf16be-bom.json")

        XCTAssertEqual(Array(utf8.prefix(3)), [0xEF, 0xBB, 0xBF])
        XCTAssertEqual(String(data: utf8.dropFirst(3), encoding: .utf8), text)
        XCTAssertEqual(Array(utf16LE.prefix(2)), [0xFF, 0xFE])
        XCTAssertEqual(String(data: utf16LE.dropFirst(2), encoding: .utf16LittleEndian), text)
        XCTAssertEqual(Array(utf16BE.prefix(2)), [0xFE, 0xFF])
        XCTAssertEqual(String(data: utf16BE.dropFirst(2), encoding: .utf16BigEndian), text)
    }

    func testUTF8WithByteOrderMarkReadsLikeUTF8() throws {
        XCTAssertEqual(
            try CredentialSpec(jsonData: Fixture.data("new-credentialspec-utf8-bom.json")),
            try CredentialSpec(jsonData: Fixture.data("new-credentialspec.json"))
        )
    }

    func testUTF16LittleEndianAsWindowsPowerShellSavesItReadsLikeUTF8() throws {
        XCTAssertEqual(
            try CredentialSpec(jsonData: Fixture.data("new-credentialspec-utf16le-bom.json")),
            try CredentialSpec(jsonData: Fixture.data("new-credentialspec.json"))
        )
    }

    func testUTF16BigEndianWithByteOrderMarkReadsLikeUTF8() throws {
        XCTAssertEqual(
            try CredentialSpec(jsonData: Fixture.data("new-credentialspec-utf16be-bom.json")),
            try CredentialSpec(jsonData: Fixture.data("new-credentialspec.json"))
        )
    }

    func testNonASCIITextAndSurrogatePairsSurviveUTF16() throws {
        let text = Sample.text.replacingOccurrences(of: #""CmsPlugins""#, with: #""Office": "Zürich 🎉", "CmsPlugins""#)
        for encoding in [String.Encoding.utf16LittleEndian, .utf16BigEndian] {
            let bom: [UInt8] = encoding == .utf16LittleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF]
            let data = Data(bom) + (try XCTUnwrap(text.data(using: encoding)))

            let spec = try CredentialSpec(jsonData: data)

            XCTAssertEqual(spec.unknownFields, ["Office": "Zürich 🎉"], "\(encoding)")
        }
    }

    func testUnpairedLeadSurrogateInUTF16IsRejectedWithItsOffset() {
        // BOM, "{", then a lead surrogate followed by "}" instead of a trail surrogate.
        let data = Data([0xFF, 0xFE, 0x7B, 0x00, 0x00, 0xD8, 0x7D, 0x00])

        assertRejected(
            data, .wrongEncoding(.invalidUTF16(byteOffset: 4)),
            message: "The CredSpec is not valid UTF-16 at byte offset 4 (half a surrogate pair); \(saveAdvice)", field: nil
        )
    }

    func testLeadSurrogateAtTheEndOfUTF16IsRejected() {
        XCTAssertEqual(parseError(Data([0xFF, 0xFE, 0x7B, 0x00, 0x3D, 0xD8])), .wrongEncoding(.invalidUTF16(byteOffset: 4)))
    }

    func testLoneTrailSurrogateInUTF16BigEndianIsRejectedWithItsOffset() {
        XCTAssertEqual(
            parseError(Data([0xFE, 0xFF, 0x00, 0x7B, 0x00, 0x20, 0xDC, 0x00, 0x00, 0x7D])),
            .wrongEncoding(.invalidUTF16(byteOffset: 6))
        )
    }

    func testUTF16WithAnOddNumberOfBytesIsReportedAsCutShort() throws {
        let data = try Fixture.data("new-credentialspec-utf16le-bom.json").dropLast()

        assertRejected(
            data, .wrongEncoding(.oddUTF16ByteCount(3743)),
            message: "The CredSpec is UTF-16 but has an odd number of bytes (3743), so it is cut short; \(saveAdvice)",
            field: nil
        )
    }

    func testUTF16WithoutByteOrderMarkIsRecognised() throws {
        let data = try Fixture.data("new-credentialspec-utf16le-bom.json").dropFirst(2)

        assertRejected(
            Data(data), .wrongEncoding(.utf16WithoutByteOrderMark),
            message: "The CredSpec looks like UTF-16 without a byte order mark; \(saveAdvice)", field: nil
        )
        XCTAssertEqual(
            parseError(Data(try Fixture.data("new-credentialspec-utf16be-bom.json").dropFirst(2))),
            .wrongEncoding(.utf16WithoutByteOrderMark)
        )
    }

    func testUTF32IsRejected() {
        assertRejected(
            Data([0xFF, 0xFE, 0x00, 0x00, 0x7B, 0x00, 0x00, 0x00]), .wrongEncoding(.utf32),
            message: "The CredSpec is UTF-32; \(saveAdvice)", field: nil
        )
    }

    func testWindowsCodePageTextIsRejectedAsNotUTF8WithItsOffset() {
        // "Zürich" as Set-Content writes it in Windows-1252: ü is the single byte 0xFC.
        let data = Data(#"{"Office": "Z"#.utf8) + Data([0xFC]) + Data(#"rich"}"#.utf8)

        assertRejected(
            data, .wrongEncoding(.invalidUTF8(byteOffset: 13)),
            message: "The CredSpec is not valid UTF-8 at byte offset 13; \(saveAdvice)", field: nil
        )
    }

    func testInvalidUTF8OffsetCountsTheByteOrderMark() {
        let data = Data([0xEF, 0xBB, 0xBF]) + Data(#"{"a": ""#.utf8) + Data([0xC3, 0x28]) + Data(#""}"#.utf8)

        XCTAssertEqual(parseError(data), .wrongEncoding(.invalidUTF8(byteOffset: 10)))
    }

    func testOverlongUTF8IsRejected() {
        // 0xC0 0xAF is an overlong "/", a classic way around path checks.
        let data = Data(#"{"a": ""#.utf8) + Data([0xC0, 0xAF]) + Data(#""}"#.utf8)

        XCTAssertEqual(parseError(data), .wrongEncoding(.invalidUTF8(byteOffset: 7)))
    }

    func testEncodedSurrogatesAndCodePointsBeyondUnicodeAreNotUTF8() {
        // ED A0 80 is U+D800 encoded as if it were a character; F4 90 80 80 would be U+110000.
        for bytes: [UInt8] in [[0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80]] {
            let data = Data(#"{"a": ""#.utf8) + Data(bytes) + Data(#""}"#.utf8)

            XCTAssertEqual(parseError(data), .wrongEncoding(.invalidUTF8(byteOffset: 7)), "\(bytes)")
        }
    }
}
