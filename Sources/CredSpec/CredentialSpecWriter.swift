import JSON

/// Turns a `CredentialSpec` into JSON the way Windows writes it: canonical property names in
/// New-CredentialSpec's order, with each level's unknown fields after the known ones.
enum CredentialSpecWriter {
    static func jsonValue(of spec: CredentialSpec) -> JSONValue {
        object(
            [
                "CmsPlugins": .array(spec.cmsPlugins.map(JSONValue.string)),
                "DomainJoinConfig": jsonValue(of: spec.domainJoinConfig),
                "ActiveDirectoryConfig": jsonValue(of: spec.activeDirectoryConfig),
            ], then: spec.unknownFields
        )
    }

    private static func jsonValue(of domain: DomainJoinConfig) -> JSONValue {
        object(
            [
                "Sid": .string(domain.sid),
                "MachineAccountName": .string(domain.machineAccountName),
                // Windows writes a GUID's ToString(): lowercase, no braces.
                "Guid": .string(domain.guid.uuidString.lowercased()),
                "DnsTreeName": .string(domain.dnsTreeName),
                "DnsName": .string(domain.dnsName),
                "NetBiosName": .string(domain.netBiosName),
            ], then: domain.unknownFields
        )
    }

    private static func jsonValue(of config: ActiveDirectoryConfig) -> JSONValue {
        let accounts: JSONValue = .array(
            config.groupManagedServiceAccounts.map { account in
                object(["Name": .string(account.name), "Scope": .string(account.scope)], then: account.unknownFields)
            })
        guard let host = config.hostAccountConfig else {
            return object(["GroupManagedServiceAccounts": accounts], then: config.unknownFields)
        }
        return object(["GroupManagedServiceAccounts": accounts, "HostAccountConfig": jsonValue(of: host)], then: config.unknownFields)
    }

    private static func jsonValue(of host: HostAccountConfig) -> JSONValue {
        object(
            [
                "PortableCcgVersion": .string(host.portableCcgVersion),
                "PluginGUID": .string(host.pluginGUID.spelling),
                "PluginInput": host.pluginInput.jsonValue,
            ], then: host.unknownFields
        )
    }

    private static func object(_ known: KeyValuePairs<String, JSONValue>, then unknown: JSONObject) -> JSONValue {
        .object(JSONObject(known.map { (key: $0.key, value: $0.value) } + unknown.members))
    }
}
