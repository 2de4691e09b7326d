/// The JSON of a secret, as much as ccgd looks at: strings (in wiped storage) and objects.
package enum SecretJSONNode {
    case string(SecretBuffer)
    case object([(key: String, value: SecretJSONNode)])
    case null
    /// A number, boolean or array: checked, then ignored.
    case other

    /// The last member named `name`, ignoring case (as Windows' plug-ins read their JSON).
    package static func member(_ name: String, of members: [(key: String, value: SecretJSONNode)]) -> SecretJSONNode? {
        members.last { $0.key.lowercased() == name.lowercased() }?.value
    }

    package var isNull: Bool {
        if case .null = self { true } else { false }
    }

    /// A string's text; for names and messages only, never for a password.
    package var text: String? {
        if case let .string(value) = self { value.withBytes { String(decoding: $0, as: UTF8.self) } } else { nil }
    }
}

/// A strict RFC 8259 reader over bytes in place, for JSON that holds a secret (a plug-in's answer,
/// a credentials file): every string is decoded into a `SecretBuffer`, never into a `String`, and a
/// problem says where the JSON broke, never what it held. The one JSON reader that sees passwords.
/// Not the JSON module on purpose: that one makes Strings (never wiped), and plug-ins link only
/// SecretMemory. Its rules differ where secrets need it: a lone surrogate becomes U+FFFD (as
/// Windows' string-to-key has it), and a repeated key is kept with the last one read, case-insensitively.
package struct SecretJSONReader {
    package struct Problem: Error, Sendable {
        package let text: String
        package init(text: String) { self.text = text }
    }

    private let bytes: UnsafeRawBufferPointer
    private var index = 0
    private static let maximumDepth = 32

    package init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// One value, optionally after a UTF-8 byte order mark, with only white space around it.
    package mutating func document() throws(Problem) -> SecretJSONNode {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
        let node = try value(depth: 0)
        skipWhitespace()
        guard index == bytes.count else { throw problem("text after the JSON value") }
        return node
    }

    private func problem(_ what: String) -> Problem {
        Problem(text: index < bytes.count ? "\(what) at byte \(index + 1)" : "\(what) at the end")
    }

    private var current: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
    }

    private mutating func value(depth: Int) throws(Problem) -> SecretJSONNode {
        skipWhitespace()
        guard depth < Self.maximumDepth else { throw problem("nested too deeply") }
        switch current {
        case UInt8(ascii: "{"): return try object(depth: depth)
        case UInt8(ascii: "["): try array(depth: depth); return .other
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .other
        case UInt8(ascii: "f"): try literal("false"); return .other
        case UInt8(ascii: "n"): try literal("null"); return .null
        case nil: throw problem("no value")
        case let byte?:
            guard byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else {
                throw problem("unexpected character")
            }
            try number()
            return .other
        }
    }

    private mutating func object(depth: Int) throws(Problem) -> SecretJSONNode {
        index += 1
        var members: [(key: String, value: SecretJSONNode)] = []
        skipWhitespace()
        if current == UInt8(ascii: "}") { index += 1; return .object(members) }
        while true {
            skipWhitespace()
            guard current == UInt8(ascii: "\"") else { throw problem("expected a member name") }
            let key = try string().withBytes { String(decoding: $0, as: UTF8.self) }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else { throw problem("expected \":\"") }
            index += 1
            members.append((key, try value(depth: depth + 1)))
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "}"): index += 1; return .object(members)
            default: throw problem("expected \",\" or \"}\"")
            }
        }
    }

    private mutating func array(depth: Int) throws(Problem) {
        index += 1
        skipWhitespace()
        if current == UInt8(ascii: "]") { index += 1; return }
        while true {
            _ = try value(depth: depth + 1)
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): index += 1
            case UInt8(ascii: "]"): index += 1; return
            default: throw problem("expected \",\" or \"]\"")
            }
        }
    }

    private mutating func literal(_ word: StaticString) throws(Problem) {
        let expected = UnsafeRawBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
        guard bytes.count - index >= expected.count, bytes[index..<(index + expected.count)].elementsEqual(expected) else {
            throw problem("unexpected character")
        }
        index += expected.count
    }

    private mutating func number() throws(Problem) {
        func digits() -> Int {
            let start = index
            while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { index += 1 }
            return index - start
        }
        if current == UInt8(ascii: "-") { index += 1 }
        let integer = index
        guard digits() > 0 else { throw problem("malformed number") }
        guard bytes[integer] != UInt8(ascii: "0") || index - integer == 1 else {
            index = integer
            throw problem("malformed number")
        }
        if current == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { throw problem("malformed number") }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            index += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { index += 1 }
            guard digits() > 0 else { throw problem("malformed number") }
        }
    }

    /// Decodes a string into wiped storage no larger than its JSON text (escapes only shrink).
    private mutating func string() throws(Problem) -> SecretBuffer {
        let start = index
        index += 1
        var end = index
        while end < bytes.count, bytes[end] != UInt8(ascii: "\"") { end += bytes[end] == UInt8(ascii: "\\") ? 2 : 1 }
        let decoded = SecretBuffer(capacity: max(end - index, 1))
        while true {
            guard let byte = current else { throw problem("unterminated string") }
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                guard decoded.withBytes(Self.isUTF8) else {
                    index = start
                    throw problem("a string that is not UTF-8")
                }
                return decoded
            case UInt8(ascii: "\\"):
                index += 1
                try escape(into: decoded)
            case 0..<0x20:
                throw problem("a control character in a string")
            default:
                decoded.append(byte)
                index += 1
            }
        }
    }

    private mutating func escape(into decoded: SecretBuffer) throws(Problem) {
        guard let byte = current else { throw problem("unterminated string") }
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): decoded.append(byte)
        case UInt8(ascii: "b"): decoded.append(0x08)
        case UInt8(ascii: "f"): decoded.append(0x0C)
        case UInt8(ascii: "n"): decoded.append(0x0A)
        case UInt8(ascii: "r"): decoded.append(0x0D)
        case UInt8(ascii: "t"): decoded.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try hexUnit()
            var scalar = UInt32(unit)
            if (0xD800..<0xDC00).contains(unit), bytes.count - index >= 6,
                bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
            {
                let saved = index
                index += 2
                let low = try hexUnit()
                if (0xDC00..<0xE000).contains(low) {
                    scalar = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                } else {
                    index = saved
                }
            }
            // An unpaired surrogate cannot be UTF-8; it becomes U+FFFD, as in AES string-to-key.
            Self.appendUTF8(Unicode.Scalar(scalar) ?? "\u{FFFD}", to: decoded)
        default:
            index -= 1
            throw problem("an unknown escape")
        }
    }

    private mutating func hexUnit() throws(Problem) -> UInt16 {
        var unit: UInt16 = 0
        for _ in 0..<4 {
            guard let byte = current, let digit = Self.hexDigit(byte) else { throw problem("a malformed \\u escape") }
            unit = unit << 4 | UInt16(digit)
            index += 1
        }
        return unit
    }

    private static func hexDigit(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    private static func appendUTF8(_ scalar: Unicode.Scalar, to decoded: SecretBuffer) {
        UTF8.encode(scalar) { decoded.append($0) }
    }

    private static func isUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
