import JSON

/// Turns parsed JSON into a `CredentialSpec`: property names and types, with the JSON path of
/// anything missing or mistyped; the values' rules are `CredentialSpecValidator`'s.
enum CredentialSpecParser {
    static func credentialSpec(from json: JSONValue) throws(CredentialSpecError) -> CredentialSpec {
        var root = try PropertyReader(json, at: "")
        let cmsPlugins = try strings(root.array("CmsPlugins"), at: root.path(of: "CmsPlugins"))
        let domainJoinConfig = try domainJoinConfig(root.object("DomainJoinConfig"))
        let activeDirectoryConfig = try activeDirectoryConfig(root.object("ActiveDirectoryConfig"))
        return try CredentialSpec(
            cmsPlugins: cmsPlugins, domainJoinConfig: domainJoinConfig,
            activeDirectoryConfig: activeDirectoryConfig, unknownFields: root.unknownFields
        )
    }

    private static func strings(_ elements: [JSONValue], at path: String) throws(CredentialSpecError) -> [String] {
        var strings: [String] = []
        for (index, element) in elements.enumerated() {
            guard case .string(let string) = element else {
                throw .wrongType(field: "\(path)[\(index)]", expected: [.string], found: element.kind)
            }
            strings.append(string)
        }
        return strings
    }

    private static func domainJoinConfig(_ reader: PropertyReader) throws(CredentialSpecError) -> DomainJoinConfig {
        var reader = reader
        let sid = try reader.string("Sid")
        let machineAccountName = try reader.string("MachineAccountName")
        let guidText = try reader.string("Guid")
        guard let guid = GUIDText.uuid(from: guidText) else {
            throw .invalid(field: reader.path(of: "Guid"), value: .string(guidText), reason: .notADomainGUID)
        }
        return DomainJoinConfig(
            sid: sid, machineAccountName: machineAccountName, guid: guid,
            dnsTreeName: try reader.string("DnsTreeName"), dnsName: try reader.string("DnsName"),
            netBiosName: try reader.string("NetBiosName"), unknownFields: reader.unknownFields
        )
    }

    private static func activeDirectoryConfig(_ reader: PropertyReader) throws(CredentialSpecError) -> ActiveDirectoryConfig {
        var reader = reader
        let accountsPath = reader.path(of: "GroupManagedServiceAccounts")
        var accounts: [GroupManagedServiceAccount] = []
        for (index, element) in try reader.array("GroupManagedServiceAccounts").enumerated() {
            var account = try PropertyReader(element, at: "\(accountsPath)[\(index)]")
            accounts.append(
                GroupManagedServiceAccount(
                    name: try account.string("Name"), scope: try account.string("Scope"),
                    unknownFields: account.unknownFields
                )
            )
        }
        // Without HostAccountConfig the host reads the password with its own computer account (domain joined).
        var hostAccountConfig: HostAccountConfig?
        if let host = try reader.optional("HostAccountConfig") {
            hostAccountConfig = try Self.hostAccountConfig(PropertyReader(host, at: reader.path(of: "HostAccountConfig")))
        }
        return ActiveDirectoryConfig(
            groupManagedServiceAccounts: accounts, hostAccountConfig: hostAccountConfig,
            unknownFields: reader.unknownFields
        )
    }

    private static func hostAccountConfig(_ reader: PropertyReader) throws(CredentialSpecError) -> HostAccountConfig {
        var reader = reader
        let version = try reader.string("PortableCcgVersion")
        let guidText = try reader.string("PluginGUID")
        guard let pluginGUID = PluginGUID(guidText) else {
            throw .invalid(field: reader.path(of: "PluginGUID"), value: .string(guidText), reason: .notAPluginGUID)
        }
        let pluginInput: PluginInput
        switch try reader.required("PluginInput") {
        case .string(let string): pluginInput = .string(string)
        case .object(let object): pluginInput = .object(object)
        case let other:
            throw .wrongType(field: reader.path(of: "PluginInput"), expected: [.string, .object], found: other.kind)
        }
        return HostAccountConfig(
            portableCcgVersion: version, pluginGUID: pluginGUID, pluginInput: pluginInput,
            unknownFields: reader.unknownFields
        )
    }
}
