import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A JSON value that keeps object member order and number spelling, so unknown CredSpec fields
/// survive a read/write round trip unchanged.
public enum JSONValue: Sendable, Hashable {
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
    public enum Kind: Sendable, Hashable, CustomStringConvertible {
        case null, boolean, number, string, array, object

        /// The kind with its article, e.g. "a string", "an object", "null".
        public var description: String {
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
    public var kind: Kind {
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
    public var compactText: String {
        JSONWriter.text(of: self, prettyPrinted: false)
    }

    /// The same text as UTF-8 bytes, without making a `String` first.
    public var compactUTF8: [UInt8] {
        JSONWriter.bytes(of: self, prettyPrinted: false)
    }
}

extension JSONValue: ExpressibleByNilLiteral {
    /// `nil` is JSON `null`.
    public init(nilLiteral: ()) { self = .null }
}

extension JSONValue: ExpressibleByBooleanLiteral {
    /// A JSON `true` or `false`.
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension JSONValue: ExpressibleByIntegerLiteral {
    /// A JSON number written in decimal.
    public init(integerLiteral value: Int) { self = .number(String(value)) }
}

extension JSONValue: ExpressibleByStringLiteral {
    /// A JSON string.
    public init(stringLiteral value: String) { self = .string(value) }
}

extension JSONValue: ExpressibleByArrayLiteral {
    /// A JSON array.
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
}

extension JSONValue: ExpressibleByDictionaryLiteral {
    /// A JSON object whose members keep the literal's order.
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(JSONObject(elements.map { (key: $0.0, value: $0.1) }))
    }
}

extension JSONValue {
    /// Parses JSON text (UTF-8, or UTF-16 with a BOM), keeping member order and number spelling;
    /// errors say where the text goes wrong.
    public init(parsing data: Data) throws(CredentialSpecError) {
        self = try JSONParser.parse(TextEncoding.utf8Bytes(of: Array(data)))
    }
}
