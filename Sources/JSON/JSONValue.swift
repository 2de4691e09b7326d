/// A JSON value that keeps object member order and number spelling, so unknown fields (of a
/// CredSpec, an OCI config.json) survive a read/write round trip unchanged.
package enum JSONValue: Sendable, Hashable {
    /// JSON `null`.
    case null
    /// JSON `true` or `false`.
    case bool(Bool)
    /// A number exactly as written (e.g. `1e400`), so no precision is lost on the way through.
    case number(String)
    /// A string, escapes decoded.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, members in document order.
    case object(JSONObject)

    /// The kind of a JSON value, named the way error messages speak of it.
    package enum Kind: Sendable, Hashable, CustomStringConvertible {
        case null, boolean, number, string, array, object

        /// The kind with its article, e.g. "a string", "an object", "null".
        package var description: String {
            switch self {
            case .null: "null"
            case .boolean: "a boolean"
            case .number: "a number"
            case .string: "a string"
            case .array: "an array"
            case .object: "an object"
            }
        }
    }

    /// The kind of this value.
    package var kind: Kind {
        switch self {
        case .null: .null
        case .bool: .boolean
        case .number: .number
        case .string: .string
        case .array: .array
        case .object: .object
        }
    }

    /// The value as compact JSON text, e.g. `{"credentialArn":"arn:aws:…"}`.
    package var compactText: String {
        JSONWriter.text(of: self, prettyPrinted: false)
    }

    /// The same text as UTF-8 bytes, without making a `String` first.
    package var compactUTF8: [UInt8] {
        JSONWriter.bytes(of: self, prettyPrinted: false)
    }

    /// The value as UTF-8 JSON text: compact, or indented by four spaces and ending with a newline.
    package func utf8(prettyPrinted: Bool) -> [UInt8] {
        JSONWriter.bytes(of: self, prettyPrinted: prettyPrinted)
    }
}

extension JSONValue: ExpressibleByNilLiteral {
    /// `nil` is JSON `null`.
    package init(nilLiteral: ()) { self = .null }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    /// A JSON `true` or `false`.
    package init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    /// A JSON number written in decimal.
    package init(integerLiteral value: Int) { self = .number(String(value)) }
}

extension JSONValue: ExpressibleByStringLiteral {
    /// A JSON string.
    package init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    /// A JSON array.
    package init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// A JSON object whose members keep the literal's order.
    package init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
    }
}

extension JSONValue {
    /// The most input `init(parsing:)` reads unless told otherwise: far above any document ccgd
    /// exchanges (an OCI config.json with a seccomp profile takes tens of kilobytes).
    package static let defaultMaximumByteCount = 16 << 20

    /// What the reader does with a property name given twice in one object.
    package enum RepeatedKeys: Sendable {
        /// Refused (`JSONError.Problem.repeatedKey`): readers disagree on which value wins, so a
        /// request could mean one thing to ccgd and another to the next program.
        case rejected
        /// Kept, in order: only for a document that is written back as it came (a CredSpec's
        /// unknown fields) and whose own reader checks the names it uses.
        case kept
    }

    /// Parses UTF-8 JSON text (a leading byte order mark is skipped) holding exactly one value,
    /// keeping member order and number spelling. The rules (JSONParser): RFC 8259 syntax, no
    /// repeated property name in one object (unless `repeatedKeys` is `.kept`), no unpaired
    /// surrogate escape, at most `JSONParser.maximumDepth` nested arrays and objects, at most
    /// `maximumByteCount` bytes of valid UTF-8.
    package init(
        parsing utf8: some Collection<UInt8>, maximumByteCount: Int = defaultMaximumByteCount, repeatedKeys: RepeatedKeys = .rejected
    ) throws(JSONError) {
        self = try JSONParser.parse(Array(utf8), maximumByteCount: maximumByteCount, repeatedKeys: repeatedKeys)
    }

    /// Parses JSON text held in a `String`.
    package init(parsing text: String) throws(JSONError) {
        try self.init(parsing: text.utf8)
    }
}
