import KerberosKeys

/// One entry of a search result. Attribute names are compared case-insensitively.
public struct DirectoryEntry: Sendable {
    public let distinguishedName: String
    /// Values of ordinary attributes, by lower-cased attribute name.
    public let values: [String: [[UInt8]]]
    /// Values of attributes requested as secret (copied straight into wiped storage).
    public let secrets: [String: SecretBytes]

    public init(distinguishedName: String, values: [String: [[UInt8]]], secrets: [String: SecretBytes] = [:]) {
        self.distinguishedName = distinguishedName
        self.values = values
        self.secrets = secrets
    }

    public func values(_ attribute: String) -> [[UInt8]] { values[attribute.lowercased()] ?? [] }

    public func strings(_ attribute: String) -> [String] {
        values(attribute).map { String(decoding: $0, as: UTF8.self) }
    }

    public func string(_ attribute: String) -> String? { strings(attribute).first }

    public func secret(_ attribute: String) -> SecretBytes? { secrets[attribute.lowercased()] }
}
