import SecretMemory
import XCTest

/// The contract of the one JSON reader that sees passwords: strict RFC 8259, strings into wiped
/// `SecretBuffer`s, objects with their members in order, and problems that say where, never what.
final class SecretJSONReaderTests: XCTestCase {
    private func read(_ bytes: [UInt8]) throws -> SecretJSONNode {
        try bytes.withUnsafeBytes { buffer in
            var reader = SecretJSONReader(buffer)
            return try reader.document()
        }
    }

    private func read(_ text: String) throws -> SecretJSONNode {
        try read(Array(text.utf8))
    }

    /// The problem `text` is refused with (nil when it is read).
    private func problem(_ text: String) -> String? { problem(Array(text.utf8)) }

    private func problem(_ bytes: [UInt8]) -> String? {
        do {
            _ = try read(bytes)
            return nil
        } catch let problem as SecretJSONReader.Problem {
            return problem.text
        } catch {
            return "not a SecretJSONReader.Problem: \(error)"
        }
    }

    private func members(_ node: SecretJSONNode, file: StaticString = #filePath, line: UInt = #line) -> [(key: String, value: SecretJSONNode)] {
        guard case let .object(members) = node else {
            XCTFail("not an object: \(node)", file: file, line: line)
            return []
        }
        return members
    }

    /// The bytes of a string node, copied out for comparison.
    private func bytes(_ node: SecretJSONNode?, file: StaticString = #filePath, line: UInt = #line) -> [UInt8]? {
        guard case let .string(buffer)? = node else {
            XCTFail("not a string: \(String(describing: node))", file: file, line: line)
            return nil
        }
        return buffer.withBytes { Array($0) }
    }

    private func stringBytes(_ json: String, file: StaticString = #filePath, line: UInt = #line) throws -> [UInt8]? {
        bytes(try read(json), file: file, line: line)
    }

    // MARK: Valid documents

    func testObjectMembersKeepTheirOrderAndKinds() throws {
        let node = try read(#"{"username": "gmsa$", "password": "Pa55", "n": 1, "t": true, "f": false, "z": null, "a": [1, "x"], "o": {}}"#)
        let members = members(node)
        XCTAssertEqual(members.map(\.key), ["username", "password", "n", "t", "f", "z", "a", "o"])
        XCTAssertEqual(bytes(members[0].value), Array("gmsa$".utf8))
        XCTAssertEqual(bytes(members[1].value), Array("Pa55".utf8))
        for index in 2...4 {
            guard case .other = members[index].value else { return XCTFail("\(members[index].key) is not .other") }
        }
        XCTAssertTrue(members[5].value.isNull)
        guard case .other = members[6].value else { return XCTFail("an array is not .other") }
        XCTAssertTrue(self.members(members[7].value).isEmpty)
    }

    func testStringsAreSecretBuffersNotText() throws {
        guard case let .string(buffer) = try read(#""hunter2""#) else { return XCTFail("not a string") }
        XCTAssertEqual(buffer.count, 7)
        XCTAssertEqual(buffer.withBytes { Array($0) }, Array("hunter2".utf8))
    }

    func testNestedObjectsAreRead() throws {
        let outer = members(try read(#"{"secret": {"inner": {"password": "p"}}}"#))
        let inner = members(members(outer[0].value)[0].value)
        XCTAssertEqual(inner.map(\.key), ["password"])
        XCTAssertEqual(bytes(inner[0].value), [UInt8(ascii: "p")])
    }

    func testTopLevelScalarsAreValues() throws {
        XCTAssertTrue(try read("null").isNull)
        for json in ["true", "false", "0", "-0.5e+10", "[]", "[[], {}]"] {
            guard case .other = try read(json) else { return XCTFail("\(json) is not .other") }
        }
    }

    func testWhiteSpaceAndByteOrderMarkAroundTheValue() throws {
        XCTAssertEqual(try stringBytes(" \t\r\n\"x\" \n"), [UInt8(ascii: "x")])
        XCTAssertEqual(bytes(try read([0xEF, 0xBB, 0xBF] + Array(#""x""#.utf8))), [UInt8(ascii: "x")])
        // A byte order mark is only allowed first.
        XCTAssertNotNil(problem([0x20, 0xEF, 0xBB, 0xBF] + Array(#""x""#.utf8)))
    }

    func testNumbersFollowTheGrammar() {
        for valid in ["0", "-0", "12", "1.5", "1e3", "1E-3", "-1.25e+7"] {
            XCTAssertNil(problem(valid), valid)
        }
        for invalid in ["01", "-", "1.", ".5", "1e", "1e+", "+1", "0x1F", "-01"] {
            XCTAssertNotNil(problem(invalid), invalid)
        }
        XCTAssertEqual(problem("01"), "malformed number at byte 1")
        XCTAssertEqual(problem("[-01]"), "malformed number at byte 3")
    }

    // MARK: Duplicate keys

    func testDuplicateKeysAreAllKeptInOrder() throws {
        let members = members(try read(#"{"password": "first", "password": "second"}"#))
        XCTAssertEqual(members.map(\.key), ["password", "password"])
        XCTAssertEqual(bytes(members[0].value), Array("first".utf8))
        XCTAssertEqual(bytes(members[1].value), Array("second".utf8))
    }

    func testMemberIsTheLastOfItsNameIgnoringCase() throws {
        let members = members(try read(#"{"Password": "first", "user": "u", "PASSWORD": "second"}"#))
        XCTAssertEqual(bytes(SecretJSONNode.member("password", of: members)), Array("second".utf8))
        XCTAssertEqual(SecretJSONNode.member("User", of: members)?.text, "u")
        XCTAssertNil(SecretJSONNode.member("domain", of: members))
    }

    func testTextIsOnlyForStrings() throws {
        XCTAssertEqual(try read(#""name""#).text, "name")
        XCTAssertNil(try read("null").text)
        XCTAssertNil(try read("{}").text)
        XCTAssertFalse(try read(#""null""#).isNull)
    }

    // MARK: Escapes and surrogates

    func testSimpleEscapesAreDecoded() throws {
        XCTAssertEqual(try stringBytes(#""\"\\\/\b\f\n\r\t""#), [0x22, 0x5C, 0x2F, 0x08, 0x0C, 0x0A, 0x0D, 0x09])
    }

    func testUnicodeEscapesBecomeUTF8() throws {
        XCTAssertEqual(try stringBytes(#""\u0041\u00e9\u20AC""#), Array("Aé€".utf8))
        XCTAssertEqual(try stringBytes(#""\u0000""#), [0x00])
    }

    func testSurrogatePairBecomesOneScalar() throws {
        // U+1F600 as a pair of escapes: four UTF-8 bytes, F0 9F 98 80.
        XCTAssertEqual(try stringBytes(#""\uD83D\uDE00""#), [0xF0, 0x9F, 0x98, 0x80])
    }

    func testUnpairedHighSurrogateBecomesReplacementCharacter() throws {
        XCTAssertEqual(try stringBytes(#""a\uD83Db""#), [0x61, 0xEF, 0xBF, 0xBD, 0x62])
        XCTAssertEqual(try stringBytes(#""\uD83D""#), [0xEF, 0xBF, 0xBD])
    }

    func testUnpairedLowSurrogateBecomesReplacementCharacter() throws {
        XCTAssertEqual(try stringBytes(#""\uDE00x""#), [0xEF, 0xBF, 0xBD, 0x78])
    }

    func testHighSurrogateBeforeAnotherEscapeKeepsThatEscape() throws {
        // The second escape is no low surrogate: the first becomes U+FFFD, the second is read on its own.
        XCTAssertEqual(try stringBytes(#""\uD83D\u0041""#), [0xEF, 0xBF, 0xBD, 0x41])
        XCTAssertEqual(try stringBytes(#""\uD83D\uD83D\uDE00""#), [0xEF, 0xBF, 0xBD, 0xF0, 0x9F, 0x98, 0x80])
    }

    func testMalformedEscapesAreRefusedWithTheirPosition() {
        XCTAssertEqual(problem(#""\x""#), "an unknown escape at byte 3")
        XCTAssertEqual(problem(#""\u12G4""#), "a malformed \\u escape at byte 6")
        XCTAssertEqual(problem(#""\u12""#), "a malformed \\u escape at byte 6")
        XCTAssertEqual(problem(#""\uD83D\uZZZZ""#), "a malformed \\u escape at byte 10")
    }

    // MARK: Strings that are not text

    func testControlCharactersInStringsAreRefused() {
        XCTAssertEqual(problem("\"a\nb\""), "a control character in a string at byte 3")
        XCTAssertEqual(problem([0x22, 0x00, 0x22]), "a control character in a string at byte 2")
        XCTAssertNil(problem([0x22, 0x7F, 0x22])) // DEL is not a control character to JSON
    }

    func testStringThatIsNotUTF8IsRefusedAtItsStart() {
        XCTAssertEqual(problem([0x5B, 0x22, 0x61, 0xFF, 0x22, 0x5D]), "a string that is not UTF-8 at byte 2")
        // An overlong encoding of "/" and a lone continuation byte.
        XCTAssertNotNil(problem([0x22, 0xC0, 0xAF, 0x22]))
        XCTAssertNotNil(problem([0x22, 0x80, 0x22]))
        // Valid multi-byte UTF-8 is kept as it is.
        XCTAssertNil(problem(Array("\"é€😀\"".utf8)))
    }

    // MARK: Truncated and malformed input

    func testTruncatedInputIsRefusedAtTheEnd() {
        XCTAssertEqual(problem(""), "no value at the end")
        XCTAssertEqual(problem("   "), "no value at the end")
        XCTAssertEqual(problem(#"{"a": "b""#), "expected \",\" or \"}\" at the end")
        XCTAssertEqual(problem(#"{"a":"#), "no value at the end")
        XCTAssertEqual(problem(#"{"a""#), "expected \":\" at the end")
        XCTAssertEqual(problem(#"{"#), "expected a member name at the end")
        XCTAssertEqual(problem(#""abc"#), "unterminated string at the end")
        XCTAssertEqual(problem(#""abc\"#), "unterminated string at the end")
        XCTAssertEqual(problem("[1,"), "no value at the end")
        XCTAssertEqual(problem("[1"), "expected \",\" or \"]\" at the end")
        XCTAssertEqual(problem("tru"), "unexpected character at byte 1")
        XCTAssertEqual(problem("-"), "malformed number at the end")
    }

    func testMalformedStructureIsRefusedWithItsPosition() {
        XCTAssertEqual(problem(#"{"a": 1,}"#), "expected a member name at byte 9")
        XCTAssertEqual(problem(#"{a: 1}"#), "expected a member name at byte 2")
        XCTAssertEqual(problem(#"{"a" 1}"#), "expected \":\" at byte 6")
        XCTAssertEqual(problem(#"{"a": 1 "b": 2}"#), "expected \",\" or \"}\" at byte 9")
        XCTAssertEqual(problem("[1 2]"), "expected \",\" or \"]\" at byte 4")
        XCTAssertEqual(problem("[1,]"), "unexpected character at byte 4")
        XCTAssertEqual(problem(#"{} {}"#), "text after the JSON value at byte 4")
        XCTAssertEqual(problem("nul"), "unexpected character at byte 1")
        XCTAssertEqual(problem("'x'"), "unexpected character at byte 1")
    }

    func testProblemsNeverContainTheSecret() {
        for json in [
            #"{"password": "hunter2" x}"#, #"{"password": "hunter2\q"}"#, "{\"password\": \"hunter2\u{01}\"}",
            #"{"password": "hunter2"#,
        ] {
            guard let text = problem(json) else { XCTFail("\(json) was read"); continue }
            XCTAssertFalse(text.contains("hunter2"), text)
            XCTAssertFalse(text.contains("password"), text)
        }
    }

    // MARK: Nesting and size

    func testNestingIsLimitedTo32Levels() {
        let deepest = String(repeating: "[", count: 32) + String(repeating: "]", count: 32)
        XCTAssertNil(problem(deepest))
        let tooDeep = String(repeating: "[", count: 33) + String(repeating: "]", count: 33)
        XCTAssertEqual(problem(tooDeep), "nested too deeply at byte 33")
        let objects = String(repeating: #"{"a":"#, count: 33) + "1" + String(repeating: "}", count: 33)
        XCTAssertEqual(problem(objects), "nested too deeply at byte 161")
    }

    func testDeepNestingFailsWithoutExhaustingTheStack() {
        let huge = String(repeating: "[", count: 1_000_000)
        XCTAssertEqual(problem(huge), "nested too deeply at byte 33")
    }

    func testHugeStringIsReadWhole() throws {
        let count = 4 * 1024 * 1024
        let json = [UInt8(ascii: "\"")] + [UInt8](repeating: UInt8(ascii: "s"), count: count) + [UInt8(ascii: "\"")]
        guard case let .string(buffer) = try read(json) else { return XCTFail("not a string") }
        XCTAssertEqual(buffer.count, count)
        XCTAssertTrue(buffer.withBytes { $0.allSatisfy { $0 == UInt8(ascii: "s") } })
    }

    func testHugeStringOfEscapesIsReadWhole() throws {
        let count = 100_000
        let json = "\"" + String(repeating: #"\u00e9\n"#, count: count) + "\""
        XCTAssertEqual(try stringBytes(json)?.count, count * 3)
    }

    func testObjectWithManyMembersKeepsThemAll() throws {
        let count = 50_000
        let json = "{" + (0..<count).map { #""k\#($0)": "v\#($0)""# }.joined(separator: ",") + "}"
        let members = members(try read(json))
        XCTAssertEqual(members.count, count)
        XCTAssertEqual(members.last?.key, "k\(count - 1)")
        XCTAssertEqual(members.last?.value.text, "v\(count - 1)")
    }
}
