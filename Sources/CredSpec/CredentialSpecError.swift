import JSON

/// Why a CredSpec cannot be used: the facts, the JSON path of the bad field, and a one-sentence
/// message saying what is wrong and what to do.
package enum CredentialSpecError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The input is larger than `limit` bytes.
    case tooLarge(limit: Int)
    /// The file at `path` could not be read.
    case unreadable(path: String, reason: String)
    /// The bytes are not text in an encoding ccgd reads.
    case wrongEncoding(EncodingProblem)
    /// The text is not JSON; `line` and `column` (from 1, in characters) say where.
    case notJSON(problem: String, line: Int, column: Int)
    /// A required property is absent.
    case missing(field: String)
    /// A property appears more than once (names are compared case-insensitively).
    case duplicate(field: String)
    /// A property has the wrong JSON type; `field` is empty for the document itself.
    case wrongType(field: String, expected: [JSONValue.Kind], found: JSONValue.Kind)
    /// A property has the right type but a value ccgd cannot use.
    case invalid(field: String, value: JSONValue, reason: Reason)

    /// The JSON path of the offending property, e.g. `ActiveDirectoryConfig.GroupManagedServiceAccounts[1].Name`.
    package var field: String? {
        switch self {
        case .missing(let field), .duplicate(let field), .invalid(let field, _, _):
            field
        case .wrongType(let field, _, _):
            field.isEmpty ? nil : field
        case .tooLarge, .unreadable, .wrongEncoding, .notJSON:
            nil
        }
    }

    /// One sentence: what is wrong, where, and what to do.
    package var message: String {
        switch self {
        case .tooLarge(let limit):
            "The CredSpec is larger than \(limit) bytes; check that the file is a CredSpec, which takes a few hundred bytes."
        case .unreadable(let path, let reason):
            "Cannot read the CredSpec \(path) (\(reason)); check the path and its permissions."
        case .wrongEncoding(let problem):
            "The CredSpec \(problem); save it as UTF-8, or as UTF-16 with a byte order mark."
        case .notJSON(let problem, let line, let column):
            "The CredSpec is not valid JSON at line \(line), column \(column): \(problem); fix the JSON there."
        case .missing(let field):
            "\(field): the property is missing; add it as New-CredentialSpec writes it."
        case .duplicate(let field):
            "\(field): the property appears more than once (property names are case-insensitive); keep only one."
        case .wrongType(let field, let expected, let found) where field.isEmpty:
            "The CredSpec is \(found) but must be \(Self.list(expected)); write it as New-CredentialSpec does."
        case .wrongType(let field, let expected, let found):
            "\(field): expected \(Self.list(expected)) but found \(found); write it as \(Self.list(expected))."
        case .invalid(let field, let value, let reason):
            "\(field): \(Self.quoted(value)) \(reason)."
        }
    }

    package var description: String { message }

    static let hostAccountConfigPath = "ActiveDirectoryConfig.HostAccountConfig"

    private static func list(_ kinds: [JSONValue.Kind]) -> String {
        kinds.map(\.description).joined(separator: " or ")
    }

    /// Long values are cut so a message stays one readable line.
    private static func quoted(_ value: JSONValue) -> String {
        let text = value.compactText
        return text.count <= 100 ? text : text.prefix(99) + "…"
    }
}
