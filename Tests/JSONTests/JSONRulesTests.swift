@testable import JSON
import XCTest

/// The rules every JSON ccgd reads follows beyond RFC 8259's syntax: no repeated key, a size
/// limit, UTF-8 only; each refusal says where.
final class JSONRulesTests: XCTestCase {
    private func error(_ bytes: [UInt8], maximumByteCount: Int = JSONValue.defaultMaximumByteCount) -> JSONError? {
        do {
            _ = try JSONValue(parsing: bytes, maximumByteCount: maximumByteCount)
            return nil
        } catch {
            return error
        }
    }

    func testRepeatedKeyIsRejectedWhereItIsGivenAgain() {
        XCTAssertEqual(
            error(Array(#"{"z": 1, "a": 2, "z": {}}"#.utf8)),
            JSONError(.repeatedKey("z"), line: 1, column: 18, byteOffset: 17)
        )
    }

    func testRepeatedKeyIsKeptWhenAsked() throws {
        let value = try JSONValue(parsing: #"{"a": 1, "a": 2}"#.utf8, repeatedKeys: .kept)
        XCTAssertEqual(value, .object(JSONObject([(key: "a", value: 1), (key: "a", value: 2)])))
    }

    func testRepeatedKeyInALargeObjectIsRejected() {
        let members = (0..<40).map { #""k\#($0)": \#($0)"# } + [#""k7": 0"#]
        XCTAssertEqual(error(Array(("{" + members.joined(separator: ",") + "}").utf8))?.problem, .repeatedKey("k7"))
    }

    func testKeysThatDifferInCaseAreDistinct() throws {
        XCTAssertEqual(try JSONValue(parsing: #"{"Sid": 1, "SID": 2}"#).member("SID"), 2)
    }

    func testTheSameKeyInDifferentObjectsIsAllowed() throws {
        XCTAssertNoThrow(try JSONValue(parsing: #"{"a": {"a": 1}, "b": [{"a": 1}, {"a": 2}]}"#))
    }

    func testTextLongerThanTheLimitIsRejected() {
        XCTAssertEqual(error(Array("[1, 2]".utf8), maximumByteCount: 5)?.problem, .tooLarge(limit: 5))
        XCTAssertNil(error(Array("[1, 2]".utf8), maximumByteCount: 6))
    }

    func testInvalidUTF8IsRejectedAtItsByte() {
        XCTAssertEqual(error([0x22, 0x61, 0xC3, 0x28, 0x22]), JSONError(.invalidUTF8, line: 1, column: 3, byteOffset: 2))
    }

    func testByteOrderMarkIsSkippedAndNotCountedAsAColumn() throws {
        XCTAssertEqual(try JSONValue(parsing: [0xEF, 0xBB, 0xBF] + Array("[]".utf8)), [])
        XCTAssertEqual(
            error([0xEF, 0xBB, 0xBF] + Array("x".utf8)), JSONError(.expected("a JSON value", found: "character 'x'"), line: 1, column: 1, byteOffset: 3))
    }

    func testMessageNamesLineColumnAndProblem() {
        XCTAssertEqual(
            error(Array("{\n  \"a\" 1}".utf8))?.message,
            "line 2, column 7: expected ':' after the property name, found character '1'"
        )
    }

    func testPrettyTextIsIndentedByFourSpacesAndEndsWithANewline() {
        let value: JSONValue = ["a": [1, "x"], "b": [:]]
        XCTAssertEqual(
            String(decoding: value.utf8(prettyPrinted: true), as: UTF8.self), "{\n    \"a\": [\n        1,\n        \"x\"\n    ],\n    \"b\": {}\n}\n")
        XCTAssertEqual(value.compactUTF8, value.utf8(prettyPrinted: false))
    }
}
