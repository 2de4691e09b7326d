import FoundationEssentials
import KerberosKeys

/// What the directory says about one group managed service account.
package struct ManagedServiceAccountRecord: Sendable {
    package let distinguishedName: String
    /// `sAMAccountName`, with its trailing `$`.
    package let samAccountName: String
    /// The raw MSDS-MANAGEDPASSWORD_BLOB.
    package let managedPasswordBlob: SecretBytes
    /// `msDS-KeyVersionNumber` of the current password: from the same answer when the DC's held
    /// password is the one it sent (`StoredManagedPassword`), else read after the password.
    package let keyVersionNumber: UInt32
    package let servicePrincipalNames: [String]
    /// `msDS-SupportedEncryptionTypes`, nil when unset.
    package let supportedEncryptionTypes: UInt32?
    package let objectSid: SecurityIdentifier?
    package let objectGUID: String?
    package let dnsHostName: String?
    package let userAccountControl: UInt32?

    /// Whether the kvno took a second search, read after the password (the DC's held password
    /// was not the one it sent: a rollover under way).
    package var keyVersionReadAfterPassword = false

    /// True when `userAccountControl` has ACCOUNTDISABLE (0x2).
    package var isDisabled: Bool { (userAccountControl ?? 0) & 0x2 != 0 }
}

extension DirectoryConnection {
    static let accountAttributes = [
        "sAMAccountName", "servicePrincipalName", "msDS-SupportedEncryptionTypes", "objectSid", "objectGUID",
        "dNSHostName", "userAccountControl",
        // Whether this answer's kvno is the current password's (StoredManagedPassword): one round trip.
        "msDS-KeyVersionNumber", "msDS-ManagedPasswordId", "msDS-ManagedPasswordInterval",
    ]

    /// Reads the gMSA `account` (with or without its `$`) under `domainDN`: first in
    /// `CN=Managed Service Accounts`, then anywhere in the domain.
    package func readManagedServiceAccount(_ account: String, domainDN: String) throws(DirectoryError) -> ManagedServiceAccountRecord {
        let samAccountName = AccountName(account).samAccountName
        guard let record = try readManagedServiceAccounts([account], domainDN: domainDN).first else {
            throw .accountNotFound(account: samAccountName, searchBase: domainDN)
        }
        return record
    }

    /// Reads the gMSAs `accounts` (with or without their `$`) under `domainDN` with one search
    /// (an OR filter): first in `CN=Managed Service Accounts`, then anywhere in the domain for
    /// those not found there. Returns what the DC returned, in its order: the caller matches
    /// each record to the name it asked for (a missing name is not an error here).
    package func readManagedServiceAccounts(_ accounts: [String], domainDN: String) throws(DirectoryError) -> [ManagedServiceAccountRecord] {
        var wanted: [String] = []
        for account in accounts where !wanted.contains(where: { AccountName($0).normalized == AccountName(account).normalized }) {
            wanted.append(account)
        }
        guard !wanted.isEmpty else { return [] }
        // One more than asked for, so that an entry nobody asked for is seen (and refused by the caller).
        let limit = Int32(clamping: wanted.count + 1)
        var entries = try search(
            base: "CN=Managed Service Accounts,\(domainDN)", scope: .oneLevel,
            filter: Self.managedServiceAccountFilter(wanted), attributes: Self.accountAttributes,
            secretAttributes: ["msDS-ManagedPassword"], sizeLimit: limit)
        let found = Set(entries.compactMap { $0.string("sAMAccountName").map { AccountName($0).normalized } })
        let missing = wanted.filter { !found.contains(AccountName($0).normalized) }
        if !missing.isEmpty {
            entries += try search(
                base: domainDN, scope: .subtree, filter: Self.managedServiceAccountFilter(missing),
                attributes: Self.accountAttributes, secretAttributes: ["msDS-ManagedPassword"],
                sizeLimit: Int32(clamping: missing.count + 1))
        }
        for entry in entries where entry.secret("msDS-ManagedPassword") == nil {
            let name = entry.string("sAMAccountName") ?? entry.distinguishedName
            throw .accessDenied(account: name, reader: boundAs)
        }
        // The kvno of the same answer where it counts the password sent; the others read after it.
        let now = Date()
        var sameAnswer: [String: UInt32] = [:]
        for entry in entries {
            guard let text = entry.string("msDS-KeyVersionNumber"), let kvno = UInt32(text),
                let held = StoredManagedPassword(
                    passwordID: entry.values("msDS-ManagedPasswordId").first ?? [],
                    intervalDays: entry.string("msDS-ManagedPasswordInterval").flatMap { Int($0) }),
                let blob = try? ManagedPasswordBlob(decoding: entry.secret("msDS-ManagedPassword")!),
                held.countsCurrentPassword(queryInterval: Double(blob.queryPasswordInterval.components.seconds), now: now)
            else { continue }
            sameAnswer[entry.distinguishedName.lowercased()] = kvno
        }
        let later = entries.map(\.distinguishedName).filter { sameAnswer[$0.lowercased()] == nil }
        let versions = sameAnswer.merging(try keyVersionNumbers(of: later, domainDN: domainDN)) { first, _ in first }
        return try entries.map { entry throws(DirectoryError) in
            let name = entry.string("sAMAccountName") ?? entry.distinguishedName
            guard let kvno = versions[entry.distinguishedName.lowercased()] else {
                throw .malformedAnswer(controller: controller.description, reason: "\(name) has no readable msDS-KeyVersionNumber")
            }
            var record = ManagedServiceAccountRecord(
                distinguishedName: entry.distinguishedName,
                samAccountName: name,
                managedPasswordBlob: entry.secret("msDS-ManagedPassword")!,
                keyVersionNumber: kvno,
                servicePrincipalNames: entry.strings("servicePrincipalName"),
                supportedEncryptionTypes: entry.string("msDS-SupportedEncryptionTypes").flatMap { UInt32($0) ?? Int32($0).map { UInt32(bitPattern: $0) } },
                objectSid: entry.values("objectSid").first.flatMap { SecurityIdentifier(binary: $0) },
                objectGUID: entry.values("objectGUID").first.flatMap { formatObjectGUID($0) },
                dnsHostName: entry.string("dNSHostName"),
                userAccountControl: entry.string("userAccountControl").flatMap { UInt32($0) })
            record.keyVersionReadAfterPassword = sameAnswer[entry.distinguishedName.lowercased()] == nil
            return record
        }
    }

    /// `msDS-KeyVersionNumber` of each DN (lower-cased), read after the passwords: right after a
    /// rollover a DC sends the new password with the old kvno in the same answer (see
    /// `StoredManagedPassword`). One base search for one account, one OR search for several.
    private func keyVersionNumbers(of names: [String], domainDN: String) throws(DirectoryError) -> [String: UInt32] {
        guard !names.isEmpty else { return [:] }
        let entries: [DirectoryEntry]
        if names.count == 1 {
            entries = try search(base: names[0], scope: .base, filter: "(objectClass=*)", attributes: ["msDS-KeyVersionNumber"])
        } else {
            entries = try search(
                base: domainDN, scope: .subtree, filter: SearchFilter.anyOf("distinguishedName", equals: names),
                attributes: ["msDS-KeyVersionNumber"], sizeLimit: Int32(clamping: names.count + 1))
        }
        var versions: [String: UInt32] = [:]
        for entry in entries {
            guard let text = entry.string("msDS-KeyVersionNumber"), let kvno = UInt32(text) else { continue }
            versions[(names.count == 1 ? names[0] : entry.distinguishedName).lowercased()] = kvno
        }
        // A DC that spells a DN differently in the OR answer: ask for that one by its DN.
        for name in names where names.count > 1 && versions[name.lowercased()] == nil {
            versions.merge(try keyVersionNumbers(of: [name], domainDN: domainDN)) { $1 }
        }
        return versions
    }

    /// `(&(objectClass=msDS-GroupManagedServiceAccount)(|(sAMAccountName=A$)(sAMAccountName=B$)))`,
    /// every name escaped (a CredSpec's names are hostile input).
    static func managedServiceAccountFilter(_ accounts: [String]) -> String {
        let names = accounts.map { AccountName($0).samAccountName }
        return "(&(objectClass=msDS-GroupManagedServiceAccount)\(SearchFilter.anyOf("sAMAccountName", equals: names)))"
    }

    /// The DN of a DNS domain, e.g. `contoso.test` → `DC=contoso,DC=test`.
    package static func distinguishedName(ofDNSDomain domain: String) -> String {
        domain.split(separator: ".").map { "DC=\($0)" }.joined(separator: ",")
    }
}
