import KerberosKeys

/// What the directory says about one group managed service account.
public struct ManagedServiceAccountRecord: Sendable {
    public let distinguishedName: String
    /// `sAMAccountName`, with its trailing `$`.
    public let samAccountName: String
    /// The raw MSDS-MANAGEDPASSWORD_BLOB.
    public let managedPasswordBlob: SecretBytes
    /// `msDS-KeyVersionNumber`, read after the password (see `readManagedServiceAccount`).
    public let keyVersionNumber: UInt32
    public let servicePrincipalNames: [String]
    /// `msDS-SupportedEncryptionTypes`, nil when unset.
    public let supportedEncryptionTypes: UInt32?
    public let objectSid: SecurityIdentifier?
    public let objectGUID: String?
    public let dnsHostName: String?
    public let userAccountControl: UInt32?

    /// True when `userAccountControl` has ACCOUNTDISABLE (0x2).
    public var isDisabled: Bool { (userAccountControl ?? 0) & 0x2 != 0 }
}

extension DirectoryConnection {
    static let accountAttributes = [
        "sAMAccountName", "servicePrincipalName", "msDS-SupportedEncryptionTypes", "objectSid", "objectGUID",
        "dNSHostName", "userAccountControl",
    ]

    /// Reads the gMSA `account` (with or without its `$`) under `domainDN`: first in
    /// `CN=Managed Service Accounts`, then anywhere in the domain.
    public func readManagedServiceAccount(_ account: String, domainDN: String) throws(DirectoryError) -> ManagedServiceAccountRecord {
        let samAccountName = AccountName(account).samAccountName
        let filter = "(&(objectClass=msDS-GroupManagedServiceAccount)(sAMAccountName=\(ldapFilterEscape(samAccountName))))"
        var entries = try search(base: "CN=Managed Service Accounts,\(domainDN)", scope: .oneLevel, filter: filter,
                                 attributes: Self.accountAttributes, secretAttributes: ["msDS-ManagedPassword"])
        if entries.isEmpty {
            entries = try search(base: domainDN, scope: .subtree, filter: filter,
                                 attributes: Self.accountAttributes, secretAttributes: ["msDS-ManagedPassword"])
        }
        guard let entry = entries.first else {
            throw .accountNotFound(account: samAccountName, searchBase: domainDN)
        }
        guard let blob = entry.secret("msDS-ManagedPassword") else {
            throw .accessDenied(account: samAccountName, reader: boundAs)
        }
        // Right after a rollover a DC was seen sending the new password with the old kvno:
        // asking for the kvno after the password gets the number that belongs to it.
        let kvnoEntries = try search(base: entry.distinguishedName, scope: .base, filter: "(objectClass=*)",
                                     attributes: ["msDS-KeyVersionNumber"])
        guard let kvnoText = kvnoEntries.first?.string("msDS-KeyVersionNumber"), let kvno = UInt32(kvnoText) else {
            throw .malformedAnswer(controller: controller.description,
                                   reason: "\(samAccountName) has no readable msDS-KeyVersionNumber")
        }
        return ManagedServiceAccountRecord(
            distinguishedName: entry.distinguishedName,
            samAccountName: entry.string("sAMAccountName") ?? samAccountName,
            managedPasswordBlob: blob,
            keyVersionNumber: kvno,
            servicePrincipalNames: entry.strings("servicePrincipalName"),
            supportedEncryptionTypes: entry.string("msDS-SupportedEncryptionTypes").flatMap { UInt32($0) ?? Int32($0).map { UInt32(bitPattern: $0) } },
            objectSid: entry.values("objectSid").first.flatMap { SecurityIdentifier(binary: $0) },
            objectGUID: entry.values("objectGUID").first.flatMap { formatObjectGUID($0) },
            dnsHostName: entry.string("dNSHostName"),
            userAccountControl: entry.string("userAccountControl").flatMap { UInt32($0) })
    }

    /// The DN of a DNS domain, e.g. `contoso.test` → `DC=contoso,DC=test`.
    public static func distinguishedName(ofDNSDomain domain: String) -> String {
        domain.split(separator: ".").map { "DC=\($0)" }.joined(separator: ",")
    }
}
