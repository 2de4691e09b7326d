import JSON

/// The rules a CredSpec's values must follow for ccgd, checked in document order so the first
/// error reported is the first in the file.
enum CredentialSpecValidator {
    static func validate(_ spec: CredentialSpec) throws(CredentialSpecError) {
        let wanted = CredentialSpec.activeDirectoryPlugin.lowercased()
        guard spec.cmsPlugins.contains(where: { $0.lowercased() == wanted }) else {
            throw .invalid(field: "CmsPlugins", value: .array(spec.cmsPlugins.map(JSONValue.string)), reason: .lacksActiveDirectoryPlugin)
        }
        try validate(spec.domainJoinConfig)
        try validate(spec.activeDirectoryConfig, in: spec.domainJoinConfig)
    }

    private static func validate(_ domain: DomainJoinConfig) throws(CredentialSpecError) {
        let path = "DomainJoinConfig"
        try require(NameSyntax.isDomainSID(domain.sid), "\(path).Sid", domain.sid, .notADomainSID)
        try require(
            NameSyntax.isAccountName(domain.machineAccountName), "\(path).MachineAccountName",
            domain.machineAccountName, .notAnAccountName
        )
        try require(NameSyntax.isDNSName(domain.dnsTreeName), "\(path).DnsTreeName", domain.dnsTreeName, .notADNSName)
        try require(NameSyntax.isDNSName(domain.dnsName), "\(path).DnsName", domain.dnsName, .notADNSName)
        try require(NameSyntax.isNetBIOSName(domain.netBiosName), "\(path).NetBiosName", domain.netBiosName, .notANetBIOSName)
    }

    private static func validate(
        _ config: ActiveDirectoryConfig, in domain: DomainJoinConfig
    ) throws(CredentialSpecError) {
        let path = "ActiveDirectoryConfig.GroupManagedServiceAccounts"
        guard !config.groupManagedServiceAccounts.isEmpty else {
            throw .invalid(field: path, value: .array([]), reason: .noAccounts)
        }
        let domainNames = [domain.dnsName.lowercased(), domain.netBiosName.lowercased()]
        for (index, account) in config.groupManagedServiceAccounts.enumerated() {
            try require(NameSyntax.isAccountName(account.name), "\(path)[\(index)].Name", account.name, .notAnAccountName)
            try require(
                domainNames.contains(account.scope.lowercased()), "\(path)[\(index)].Scope", account.scope,
                .scopeOfAnotherDomain(dnsName: domain.dnsName, netBiosName: domain.netBiosName)
            )
        }
        guard let version = config.hostAccountConfig?.portableCcgVersion else { return }
        try require(
            version == HostAccountConfig.supportedPortableCcgVersion,
            "\(CredentialSpecError.hostAccountConfigPath).PortableCcgVersion", version, .unsupportedPortableCcgVersion
        )
    }

    private static func require(
        _ condition: Bool, _ field: String, _ value: String, _ reason: CredentialSpecError.Reason
    ) throws(CredentialSpecError) {
        guard condition else { throw .invalid(field: field, value: .string(value), reason: reason) }
    }
}
