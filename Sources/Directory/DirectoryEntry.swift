import KerberosKeys

/// One entry of a search result. Attribute names are compared case-insensitively.
package struct DirectoryEntry: Sendable {
    package let distinguishedName: String
    /// Values of ordinary attributes, by lower-cased attribute name.
    package let values: [String: [[UInt8]]]
    /// Values of attributes requested as secret (copied straight into wiped storage).
    package let secrets: [String: SecretBytes]

    package init(distinguishedName: String, values: [String: [[UInt8]]], secrets: [String: SecretBytes] = [:]) {
        self.distinguishedName = distinguishedName
        self.values = values
        self.secrets = secrets
    }

    package func values(_ attribute: String) -> [[UInt8]] { values[attribute.lowercased()] ?? [] }

    package func strings(_ attribute: String) -> [String] {
        values(attribute).map { String(decoding: $0, as: UTF8.self) }
    }

    package func string(_ attribute: String) -> String? { strings(attribute).first }

    package func secret(_ attribute: String) -> SecretBytes? { secrets[attribute.lowercased()] }
}
