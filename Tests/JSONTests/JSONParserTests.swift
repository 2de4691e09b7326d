@testable import JSON
import XCTest

/// The JSON reader under the CredSpec parser, the API and the hook: it must keep what Foundation's
/// loses and never crash.
final class JSONParserTests: XCTestCase {
    /// What these tests check of a `JSONError`: the problem as its message words it, and where.
    struct Located: Equatable {
        let problem: String
        let line: Int
        let column: Int

        static func notJSON(problem: String, line: Int, column: Int) -> Located {
            Located(problem: problem, line: line, column: column)
        }
    }

    private func parse(_ text: String) throws(JSONError) -> JSONValue {
        try JSONParser.parse(Array(text.utf8))
    }

    private func syntaxError(_ text: String) -> Located? {
        do {
            _ = try parse(text)
            return nil
        } catch {
            return Located(problem: error.problem.description, line: error.line, column: error.column)
        }
    }

    func testEscapesAndSurrogatePairsAreDecoded() throws {
        XCTAssertEqual(try parse(#""\u00e9\ud83c\udf89\n\t\"\\\/\b\f\r""#), .string("é🎉\n\t\"\\/\u{08}\u{0C}\r"))
    }

    func testEscapedNULIsKept() throws {
        XCTAssertEqual(try parse(#""a\u0000b""#), .string("a\u{0}b"))
    }

    func testUnpairedSurrogateEscapeIsRejectedWhereItStarts() {
        for text in [#""\ud800""#, #""\ud800\u0041""#, #""\ud800x""#] {
            XCTAssertEqual(
                syntaxError(text), .notJSON(problem: "an unpaired UTF-16 surrogate U+D800 in an escape", line: 1, column: 2), text
            )
        }
        XCTAssertEqual(
            syntaxError(#"["ok", "\udc00"]"#),
            .notJSON(problem: "an unpaired UTF-16 surrogate U+DC00 in an escape", line: 1, column: 9)
        )
    }

    func testRawControlCharacterInAStringIsRejected() {
        XCTAssertEqual(
            syntaxError("\"a\nb\""), .notJSON(problem: "an unescaped control character U+000A inside a string", line: 1, column: 3)
        )
    }

    func testUnknownEscapeIsRejected() {
        XCTAssertEqual(
            syntaxError(#""\x""#),
            .notJSON(problem: #"expected an escape like \n or \u0041 after a backslash, found character 'x'"#, line: 1, column: 3)
        )
    }

    func testNumbersKeepTheirSpellingHoweverLarge() throws {
        for literal in ["0", "-0", "1e400", "-0.0e-7", "123456789012345678901234567890", "1.50", "2E+3"] {
            XCTAssertEqual(try parse(literal), .number(literal))
        }
    }

    func testMalformedNumbersAreRejected() {
        XCTAssertEqual(
            syntaxError("01"),
            .notJSON(problem: "expected no digit after a leading zero in a number, found character '1'", line: 1, column: 2)
        )
        XCTAssertEqual(syntaxError("-"), .notJSON(problem: "expected a digit in a number, found the end of the text", line: 1, column: 2))
        XCTAssertEqual(syntaxError("1."), .notJSON(problem: "expected a digit in a number, found the end of the text", line: 1, column: 3))
        XCTAssertEqual(syntaxError("1e"), .notJSON(problem: "expected a digit in a number, found the end of the text", line: 1, column: 3))
        XCTAssertEqual(syntaxError("+1"), .notJSON(problem: "expected a JSON value, found character '+'", line: 1, column: 1))
    }

    func testTruncatedLiteralIsRejected() {
        XCTAssertEqual(syntaxError("tru"), .notJSON(problem: "expected true, found the end of the text", line: 1, column: 4))
        XCTAssertEqual(syntaxError("nul1"), .notJSON(problem: "expected null, found character '1'", line: 1, column: 4))
    }

    func testNonASCIICharacterIsNamedByItsCodePointAndColumnsCountCharacters() {
        XCTAssertEqual(
            syntaxError("{\"ä\": é}"), .notJSON(problem: "expected a JSON value, found character U+00E9", line: 1, column: 7)
        )
    }

    func testLinesAndColumnsCountFromOne() {
        XCTAssertEqual(
            syntaxError("{\r\n  \"a\": 1\r\n  \"b\": 2\r\n}"),
            .notJSON(problem: "expected ',' or '}' after a property, found character '\"'", line: 3, column: 3)
        )
    }

    func testNestingUpToTheLimitIsRead() throws {
        let depth = JSONParser.maximumDepth
        var value = try parse(String(repeating: "[", count: depth) + String(repeating: "]", count: depth))
        var levels = 0
        while case .array(let elements) = value {
            levels += 1
            value = elements.first ?? .null
        }

        XCTAssertEqual(levels, 100)
        XCTAssertEqual(
            syntaxError(String(repeating: "{\"a\":", count: 101)),
            .notJSON(problem: "arrays and objects nested more than 100 deep", line: 1, column: 501)
        )
    }

    func testObjectKeepsMemberOrderAndRepeatedKeys() throws {
        XCTAssertEqual(
            try JSONParser.parse(Array(#"{"z": 1, "a": [true, false, null], "z": {}}"#.utf8), repeatedKeys: .kept),
            .object(JSONObject([(key: "z", value: 1), (key: "a", value: [true, false, nil]), (key: "z", value: [:])]))
        )
    }

    func testWhitespaceAroundTheValueIsAllowed() throws {
        XCTAssertEqual(try parse(" \t\r\n{} \r\n"), .object([:]))
    }

    func testCompactTextOfAValueReadsBackEqual() throws {
        let text = #"{"z":1e400,"a":[true,false,null,"\"/\\\u0001é"],"o":{},"e":[]}"#

        let value = try parse(text)

        XCTAssertEqual(value.compactText, text)
        XCTAssertEqual(try parse(value.compactText), value)
    }
}
