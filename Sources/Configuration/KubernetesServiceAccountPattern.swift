/// A grant of `[credspec "NAME"] kubernetes-service-accounts`: one service account
/// (`namespace/name`) or every service account of a namespace (`namespace/*`). Kubernetes names
/// are lower-case, so a pattern matches exactly, never by case folding.
package struct KubernetesServiceAccountPattern: Sendable, Hashable, CustomStringConvertible {
    package let namespace: String
    /// nil: every service account of the namespace.
    package let name: String?

    package init?(parsing text: String) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, Self.isLabel(parts[0]) else { return nil }
        namespace = String(parts[0])
        if parts[1] == "*" {
            name = nil
        } else {
            guard Self.isSubdomain(parts[1]) else { return nil }
            name = String(parts[1])
        }
    }

    /// Whether the service account `name` of `namespace` is granted.
    package func matches(namespace: String, name: String) -> Bool {
        namespace == self.namespace && (self.name == nil || self.name == name)
    }

    package var description: String { namespace + "/" + (name ?? "*") }

    /// A namespace's name: an RFC 1123 label (lower-case letters, digits, '-'; at most 63; a
    /// letter or digit at each end).
    package static func isLabel(_ text: Substring) -> Bool {
        let bytes = Array(text.utf8)
        guard let first = bytes.first, let last = bytes.last, bytes.count <= 63, isLowerAlphanumeric(first), isLowerAlphanumeric(last) else {
            return false
        }
        return bytes.allSatisfy { isLowerAlphanumeric($0) || $0 == UInt8(ascii: "-") }
    }

    /// A service account's name: an RFC 1123 subdomain (labels joined by '.', at most 253).
    package static func isSubdomain(_ text: Substring) -> Bool {
        text.utf8.count <= 253 && text.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isLabel($0) }
    }

    private static func isLowerAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
