/// What the directory holds under an account name a CredSpec is to list: the accounts are facts
/// of the domain too, read without their password (whoever writes a CredSpec need not be allowed it).
package enum AccountLookup: Sendable, Equatable {
    /// A group managed service account; `samAccountName` is the directory's spelling, with its `$`.
    case groupManagedServiceAccount(samAccountName: String, distinguishedName: String)
    /// An account of another kind; `objectClass` is its most specific class, e.g. `user` or `computer`.
    case otherKind(samAccountName: String, objectClass: String)
    /// No account of that name in the domain.
    case notFound
}

extension DirectoryConnection {
    static let groupManagedServiceAccountClass = "msDS-GroupManagedServiceAccount"

    /// Looks up `account` (with or without its `$`) anywhere under `domainDN`, reading only its
    /// name and classes.
    package func lookUpAccount(_ account: String, domainDN: String) throws(DirectoryError) -> AccountLookup {
        let bare = AccountName(account).bare
        // A gMSA's sAMAccountName ends in $; a user of the same name would not.
        let filter = "(|(sAMAccountName=\(ldapFilterEscape(bare))$)(sAMAccountName=\(ldapFilterEscape(bare))))"
        let entries = try search(base: domainDN, scope: .subtree, filter: filter, attributes: ["sAMAccountName", "objectClass"])
        let wanted = Self.groupManagedServiceAccountClass.lowercased()
        if let gmsa = entries.first(where: { $0.strings("objectClass").contains { $0.lowercased() == wanted } }) {
            return .groupManagedServiceAccount(
                samAccountName: gmsa.string("sAMAccountName") ?? AccountName(account).samAccountName,
                distinguishedName: gmsa.distinguishedName)
        }
        guard let other = entries.first else { return .notFound }
        // objectClass lists the class hierarchy from top to the most specific class.
        return .otherKind(samAccountName: other.string("sAMAccountName") ?? bare, objectClass: other.strings("objectClass").last ?? "object")
    }
}
