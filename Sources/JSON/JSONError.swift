/// Why bytes are not the JSON ccgd reads: the problem, and where (line and column from 1, in
/// characters; the byte offset from 0) so a person can find it in an editor.
package struct JSONError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What is wrong at the position.
    package enum Problem: Equatable, Sendable, CustomStringConvertible {
        /// The syntax wanted `wanted` (e.g. "':' after the property name") but found `found`
        /// (e.g. "character 'x'", "the end of the text").
        case expected(String, found: String)
        /// A raw control character inside a string, which must be escaped.
        case controlCharacter(UInt32)
        /// A `\u` escape of half a surrogate pair without its other half.
        case unpairedSurrogate(UInt32)
        /// A `\u` escape pair that names no Unicode character.
        case notACharacter
        /// Arrays and objects nested deeper than `limit`.
        case nestedTooDeep(limit: Int)
        /// One object gives the property `name` twice.
        case repeatedKey(String)
        /// The text is longer than `limit` bytes.
        case tooLarge(limit: Int)
        /// The bytes are not valid UTF-8 here.
        case invalidUTF8

        package var description: String {
            switch self {
            case let .expected(wanted, found): "expected \(wanted), found \(found)"
            case let .controlCharacter(value): "an unescaped control character \(Self.codePoint(value)) inside a string"
            case let .unpairedSurrogate(value): "an unpaired UTF-16 surrogate \(Self.codePoint(value)) in an escape"
            case .notACharacter: "an escape that is not a Unicode character"
            case let .nestedTooDeep(limit): "arrays and objects nested more than \(limit) deep"
            case let .repeatedKey(name): "the property \"\(name)\" appears twice in one object"
            case let .tooLarge(limit): "more than \(limit) bytes"
            case .invalidUTF8: "a byte that is not valid UTF-8"
            }
        }

        /// `U+00E9`: a code point as people write it.
        static func codePoint(_ value: UInt32) -> String {
            let hex = String(value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
    }

    package let problem: Problem
    /// The line, from 1.
    package let line: Int
    /// The column, from 1, counting characters (not bytes).
    package let column: Int
    /// The offset of the problem's first byte, from 0.
    package let byteOffset: Int

    package init(_ problem: Problem, line: Int, column: Int, byteOffset: Int) {
        self.problem = problem
        self.line = line
        self.column = column
        self.byteOffset = byteOffset
    }

    /// "line 3, column 7: expected ',' or '}' after a property, found character '\"'"
    package var message: String { "line \(line), column \(column): \(problem)" }

    package var description: String { message }
}
