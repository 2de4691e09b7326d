/// Reads JSON text (RFC 8259) into a `JSONValue`, keeping member order and number spelling, and
/// says where the text goes wrong; Foundation's parser keeps neither order nor positions. The one
/// rule set for every JSON ccgd reads: a CredSpec, a lease request, ccgd's answers, OCI state.
package struct JSONParser {
    /// Deeper nesting is refused so hostile input cannot exhaust the stack.
    package static let maximumDepth = 100
    /// Objects with more members than this check repeated keys with a set, not a scan.
    private static let keyScanLimit = 16

    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    /// Where the text starts: after the byte order mark if there is one (lines and columns count from here).
    private var textStart = 0

    /// Parses UTF-8 bytes (a byte order mark first is skipped) holding exactly one JSON value.
    package static func parse(
        _ bytes: [UInt8], maximumByteCount: Int = JSONValue.defaultMaximumByteCount, repeatedKeys: JSONValue.RepeatedKeys = .rejected
    ) throws(JSONError) -> JSONValue {
        var parser = JSONParser(bytes: bytes, rejectsRepeatedKeys: repeatedKeys == .rejected)
        guard bytes.count <= maximumByteCount else { throw parser.error(.tooLarge(limit: maximumByteCount), at: maximumByteCount) }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.index = 3; parser.textStart = 3 }
        try parser.validateUTF8()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        if parser.index < bytes.count { throw parser.expected("the end of the text after the JSON value") }
        return value
    }

    private let rejectsRepeatedKeys: Bool

    private init(bytes: [UInt8], rejectsRepeatedKeys: Bool) {
        self.bytes = bytes
        self.rejectsRepeatedKeys = rejectsRepeatedKeys
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    /// Strings are made with `String(decoding:)`, which would repair bad bytes silently.
    private func validateUTF8() throws(JSONError) {
        var parser = Unicode.UTF8.ForwardParser()
        var iterator = bytes[index...].makeIterator()
        var offset = index
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let scalar): offset += scalar.count
            case .emptyInput: return
            case .error: throw error(.invalidUTF8, at: offset)
            }
        }
    }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func parseValue() throws(JSONError) -> JSONValue {
        skipWhitespace()
        guard let byte = current else { throw expected("a JSON value") }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try parseLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try parseLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try parseLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try parseNumber())
        default: throw expected("a JSON value")
        }
    }

    private mutating func parseObject() throws(JSONError) -> JSONValue {
        try enterContainer()
        var members: [(key: String, value: JSONValue)] = []
        var keys: Set<String> = []
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            leaveContainer()
            return .object(JSONObject(members))
        }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw expected("a property name in double quotes") }
            let keyStart = index
            let key = try parseString()
            if rejectsRepeatedKeys { try checkNotRepeated(key, in: members, keys: &keys, at: keyStart) }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw expected("':' after the property name") }
            index += 1
            members.append((key: key, value: try parseValue()))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"):
                leaveContainer()
                return .object(JSONObject(members))
            default: throw expected("',' or '}' after a property")
            }
        }
    }

    /// A repeated key is refused: readers disagree on which value wins (first, last, error).
    private func checkNotRepeated(
        _ key: String, in members: [(key: String, value: JSONValue)], keys: inout Set<String>, at offset: Int
    ) throws(JSONError) {
        let repeated: Bool
        if members.count < Self.keyScanLimit {
            repeated = members.contains { $0.key == key }
        } else {
            if keys.isEmpty { keys = Set(members.map(\.key)) }
            repeated = !keys.insert(key).inserted
        }
        if repeated { throw error(.repeatedKey(key), at: offset) }
    }

    private mutating func parseArray() throws(JSONError) -> JSONValue {
        try enterContainer()
        var elements: [JSONValue] = []
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            leaveContainer()
            return .array(elements)
        }
        while true {
            elements.append(try parseValue())
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"):
                leaveContainer()
                return .array(elements)
            default: throw expected("',' or ']' after an array element")
            }
        }
    }

    private mutating func enterContainer() throws(JSONError) {
        guard depth < Self.maximumDepth else {
            throw error(.nestedTooDeep(limit: Self.maximumDepth))
        }
        depth += 1
        index += 1
    }

    private mutating func leaveContainer() {
        depth -= 1
        index += 1
    }

    private mutating func parseLiteral(_ literal: String) throws(JSONError) {
        for expected in literal.utf8 {
            guard current == expected else { throw self.expected(literal) }
            index += 1
        }
    }

    private mutating func parseNumber() throws(JSONError) -> String {
        let start = index
        if current == UInt8(ascii: "-") { index += 1 }
        if current == UInt8(ascii: "0") {
            index += 1
            if let byte = current, isDigit(byte) { throw expected("no digit after a leading zero in a number") }
        } else {
            try skipDigits()
        }
        if current == UInt8(ascii: ".") {
            index += 1
            try skipDigits()
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            try skipDigits()
        }
        return String(decoding: bytes[start..<index], as: UTF8.self)
    }

    private mutating func skipDigits() throws(JSONError) {
        guard let first = current, isDigit(first) else { throw expected("a digit in a number") }
        while let byte = current, isDigit(byte) { index += 1 }
    }

    private func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    private mutating func parseString() throws(JSONError) -> String {
        index += 1
        var utf8: [UInt8] = []
        while true {
            guard let byte = current else { throw expected("'\"' to end the string") }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return String(decoding: utf8, as: UTF8.self)
            case UInt8(ascii: "\\"):
                try parseEscape(into: &utf8)
            case 0x00..<0x20:
                throw error(.controlCharacter(UInt32(byte)))
            default:
                utf8.append(byte)
                index += 1
            }
        }
    }

    private mutating func parseEscape(into utf8: inout [UInt8]) throws(JSONError) {
        index += 1
        guard let byte = current else { throw expected("an escape like \\n or \\u0041 after a backslash") }
        let simple: UInt8? =
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): byte
            case UInt8(ascii: "b"): 0x08
            case UInt8(ascii: "f"): 0x0C
            case UInt8(ascii: "n"): 0x0A
            case UInt8(ascii: "r"): 0x0D
            case UInt8(ascii: "t"): 0x09
            default: nil
            }
        if let simple {
            utf8.append(simple)
            index += 1
            return
        }
        guard byte == UInt8(ascii: "u") else { throw expected("an escape like \\n or \\u0041 after a backslash") }
        let escapeStart = index - 1
        index += 1
        var value = UInt32(try parseHexUnit())
        if UTF16.isLeadSurrogate(UInt16(value)) {
            guard current == UInt8(ascii: "\\"), index + 1 < bytes.count, bytes[index + 1] == UInt8(ascii: "u") else {
                throw error(.unpairedSurrogate(value), at: escapeStart)
            }
            index += 2
            let trail = try parseHexUnit()
            guard UTF16.isTrailSurrogate(trail) else {
                throw error(.unpairedSurrogate(value), at: escapeStart)
            }
            value = 0x10000 + ((value - 0xD800) << 10 | UInt32(trail - 0xDC00))
        } else if UTF16.isTrailSurrogate(UInt16(value)) {
            throw error(.unpairedSurrogate(value), at: escapeStart)
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw error(.notACharacter, at: escapeStart)
        }
        UTF8.encode(scalar) { utf8.append($0) }
    }

    private mutating func parseHexUnit() throws(JSONError) -> UInt16 {
        var unit: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = current, let digit = Self.hexDigitValue(byte) else {
                throw expected("four hexadecimal digits after \\u")
            }
            unit = unit << 4 | UInt16(digit)
            index += 1
        }
        return unit
    }

    private static func hexDigitValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    /// The character at the current position for a message: `character 'x'`, `character U+00A0`
    /// or `the end of the text`.
    private func describeCurrent() -> String {
        guard index < bytes.count else { return "the end of the text" }
        let byte = bytes[index]
        if byte > 0x20 && byte < 0x7F { return "character '\(Character(UnicodeScalar(byte)))'" }
        var iterator = bytes[index...].makeIterator()
        var decoder = UTF8()
        guard case .scalarValue(let scalar) = decoder.decode(&iterator) else { return "byte \(byte)" }
        return "character \(JSONError.Problem.codePoint(scalar.value))"
    }

    private func expected(_ what: String) -> JSONError {
        error(.expected(what, found: describeCurrent()))
    }

    private func error(_ problem: JSONError.Problem, at offset: Int? = nil) -> JSONError {
        let offset = min(offset ?? index, bytes.count)
        let lineStart = bytes[textStart..<offset].lastIndex(of: 0x0A).map { $0 + 1 } ?? textStart
        let line = 1 + bytes[textStart..<offset].count { $0 == 0x0A }
        // Columns count characters: every UTF-8 byte that is not a continuation byte starts one.
        let column = 1 + bytes[lineStart..<offset].count { $0 & 0xC0 != 0x80 }
        return JSONError(problem, line: line, column: column, byteOffset: offset)
    }
}
