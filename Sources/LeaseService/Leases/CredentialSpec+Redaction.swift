import CredSpec

extension CredentialSpec {
    /// The same CredSpec with another PluginInput (to keep an inline password out of state files;
    /// for the ECS front end, to read a lease through another portable user).
    package func replacingPluginInput(_ input: PluginInput) throws -> CredentialSpec {
        guard let host = hostAccountConfig else { return self }
        let replaced = HostAccountConfig(
            portableCcgVersion: host.portableCcgVersion, pluginGUID: host.pluginGUID,
            pluginInput: input, unknownFields: host.unknownFields)
        let directory = ActiveDirectoryConfig(
            groupManagedServiceAccounts: activeDirectoryConfig.groupManagedServiceAccounts,
            hostAccountConfig: replaced, unknownFields: activeDirectoryConfig.unknownFields)
        return try CredentialSpec(
            cmsPlugins: cmsPlugins, domainJoinConfig: domainJoinConfig,
            activeDirectoryConfig: directory, unknownFields: unknownFields)
    }
}
