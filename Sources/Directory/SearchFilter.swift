/// LDAP search filters (RFC 4515) built from values that may be hostile: every value is escaped,
/// so a name can never add a clause of its own.
package enum SearchFilter {
    /// `(attribute=value)`.
    package static func equals(_ attribute: String, _ value: String) -> String {
        "(\(attribute)=\(ldapFilterEscape(value)))"
    }

    /// `(attribute=value)` for one value, `(|(attribute=a)(attribute=b)…)` for several; `(!(objectClass=*))`
    /// (matches nothing) for none.
    package static func anyOf(_ attribute: String, equals values: [String]) -> String {
        switch values.count {
        case 0: "(!(objectClass=*))"
        case 1: equals(attribute, values[0])
        default: "(|" + values.map { equals(attribute, $0) }.joined() + ")"
        }
    }
}
