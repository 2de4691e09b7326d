import JSON
import FoundationEssentials
import Glibc

/// A container's credential spec (CredSpec): the gMSAs it acts as, their domain, and the plug-in
/// that lets a host outside the domain reach it (none for a domain-joined host). Every initializer validates, so a value is usable.
package struct CredentialSpec: Sendable, Equatable {
    /// The largest CredSpec ccgd reads, in bytes.
    package static let maximumByteCount = 1 << 20
    /// The CMS plug-in `CmsPlugins` must list.
    package static let activeDirectoryPlugin = "ActiveDirectory"

    /// `CmsPlugins`, e.g. `["ActiveDirectory"]`.
    package let cmsPlugins: [String]
    /// The domain the container appears joined to.
    package let domainJoinConfig: DomainJoinConfig
    /// The accounts and the host's way into the domain.
    package let activeDirectoryConfig: ActiveDirectoryConfig
    /// Top-level properties ccgd does not know, kept in order so they are written back.
    package let unknownFields: JSONObject

    /// A CredSpec from its parts; throws the first rule the parts break.
    package init(
        cmsPlugins: [String] = [CredentialSpec.activeDirectoryPlugin], domainJoinConfig: DomainJoinConfig,
        activeDirectoryConfig: ActiveDirectoryConfig, unknownFields: JSONObject = [:]
    ) throws(CredentialSpecError) {
        self.cmsPlugins = cmsPlugins
        self.domainJoinConfig = domainJoinConfig
        self.activeDirectoryConfig = activeDirectoryConfig
        self.unknownFields = unknownFields
        try CredentialSpecValidator.validate(self)
    }

    /// A CredSpec as New-CredentialSpec makes one: each distinct account listed twice, scoped by
    /// the domain's DNS name and by its NetBIOS name; the first account is the primary identity.
    package init(
        domain: DomainJoinConfig, accounts: [String], pluginGUID: PluginGUID, pluginInput: PluginInput
    ) throws(CredentialSpecError) {
        try self.init(
            domain: domain, accounts: accounts,
            hostAccountConfig: HostAccountConfig(pluginGUID: pluginGUID, pluginInput: pluginInput))
    }

    /// The same, with the host's way in: a plug-in's HostAccountConfig, or nil for a domain-joined host.
    package init(
        domain: DomainJoinConfig, accounts: [String], hostAccountConfig: HostAccountConfig?
    ) throws(CredentialSpecError) {
        var entries: [GroupManagedServiceAccount] = []
        var seen: Set<String> = []
        for account in accounts.map(NameSyntax.droppingTrailingDollar)
        where seen.insert(account.lowercased()).inserted {
            entries.append(GroupManagedServiceAccount(name: account, scope: domain.dnsName))
            entries.append(GroupManagedServiceAccount(name: account, scope: domain.netBiosName))
        }
        try self.init(
            domainJoinConfig: domain,
            activeDirectoryConfig: ActiveDirectoryConfig(
                groupManagedServiceAccounts: entries, hostAccountConfig: hostAccountConfig
            )
        )
    }

    /// Parses and validates a CredSpec saved as UTF-8 (BOM optional) or UTF-16 with a BOM.
    package init(jsonData: Data) throws(CredentialSpecError) {
        guard jsonData.count <= Self.maximumByteCount else { throw .tooLarge(limit: Self.maximumByteCount) }
        let text = try TextEncoding.utf8Bytes(of: [UInt8](jsonData))
        let json: JSONValue
        // Repeated names kept: PropertyReader refuses a known property given twice (in any case),
        // and unknown fields are written back exactly as they came.
        do { json = try JSONValue(parsing: text, repeatedKeys: .kept) } catch { throw CredentialSpecError(error) }
        try self.init(json: json)
    }

    /// Validates a CredSpec already parsed as JSON, e.g. one embedded in an API request.
    package init(json: JSONValue) throws(CredentialSpecError) {
        self = try CredentialSpecParser.credentialSpec(from: json)
    }

    /// The CredSpec as JSON: canonical property names in Windows' order, unknown fields after them.
    package var jsonValue: JSONValue { CredentialSpecWriter.jsonValue(of: self) }

    /// The CredSpec as UTF-8 JSON without a BOM; pretty-printed output ends with a newline.
    package func jsonData(prettyPrinted: Bool = true) -> Data {
        Data(jsonValue.utf8(prettyPrinted: prettyPrinted))
    }
}

extension CredentialSpec {
    /// The distinct gMSA names (compared case-insensitively), the primary first, then the others
    /// in first-appearance order.
    package var accounts: [String] {
        var seen: Set<String> = []
        let listed = activeDirectoryConfig.groupManagedServiceAccounts.map(\.name).filter {
            seen.insert($0.lowercased()).inserted
        }
        guard let index = listed.firstIndex(where: namesMachineAccount) else { return listed }
        var ordered = listed
        ordered.insert(ordered.remove(at: index), at: 0)
        return ordered
    }

    /// The container's own identity (its network name, `krb5cc`, `hostname`): the account
    /// `DomainJoinConfig.MachineAccountName` names, as Windows has it, else the first gMSA listed.
    package var primaryAccount: String {
        // Validation guarantees at least one account.
        accounts[0]
    }

    /// Whether `DomainJoinConfig.MachineAccountName` is one of the gMSAs; if not, the first listed
    /// is primary, which Windows would not do (`ccgctl credspec validate` warns).
    package var listsMachineAccount: Bool {
        activeDirectoryConfig.groupManagedServiceAccounts.contains { namesMachineAccount($0.name) }
    }

    private func namesMachineAccount(_ name: String) -> Bool {
        NameSyntax.droppingTrailingDollar(name).lowercased() == domainJoinConfig.machineAccountName.lowercased()
    }

    /// The domain's DNS name in lowercase, e.g. `contoso.test`.
    package var dnsDomain: String { domainJoinConfig.dnsName.lowercased() }

    /// The Kerberos realm: the domain's DNS name in uppercase, e.g. `CONTOSO.TEST`.
    package var realm: String { domainJoinConfig.dnsName.uppercased() }

    /// The portable CCG settings: which plug-in, with what input; nil for a domain-joined host.
    package var hostAccountConfig: HostAccountConfig? { activeDirectoryConfig.hostAccountConfig }

    /// Whether the host reads the passwords with its own computer account (no HostAccountConfig).
    package var isDomainJoined: Bool { hostAccountConfig == nil }
}
