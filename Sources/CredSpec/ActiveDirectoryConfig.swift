import JSON

/// The accounts the container acts as, and how the host reaches the domain (`ActiveDirectoryConfig`).
package struct ActiveDirectoryConfig: Sendable, Equatable {
    /// The gMSA entries in document order; the first names the container's primary identity.
    package let groupManagedServiceAccounts: [GroupManagedServiceAccount]
    /// The portable CCG settings; nil means the domain-joined way (the host's own computer account).
    package let hostAccountConfig: HostAccountConfig?
    /// Properties ccgd does not know, kept in order so they are written back.
    package let unknownFields: JSONObject

    /// An Active Directory configuration.
    package init(
        groupManagedServiceAccounts: [GroupManagedServiceAccount], hostAccountConfig: HostAccountConfig?,
        unknownFields: JSONObject = [:]
    ) {
        self.groupManagedServiceAccounts = groupManagedServiceAccounts
        self.hostAccountConfig = hostAccountConfig
        self.unknownFields = unknownFields
    }
}
