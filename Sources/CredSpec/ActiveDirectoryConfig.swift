import JSON

/// The accounts the container acts as, and how the host reaches the domain (`ActiveDirectoryConfig`).
public struct ActiveDirectoryConfig: Sendable, Equatable {
    /// The gMSA entries in document order; the first names the container's primary identity.
    public let groupManagedServiceAccounts: [GroupManagedServiceAccount]
    /// The portable CCG settings; nil means the domain-joined way (the host's own computer account).
    public let hostAccountConfig: HostAccountConfig?
    /// Properties ccgd does not know, kept in order so they are written back.
    public let unknownFields: JSONObject

    /// An Active Directory configuration.
    public init(
        groupManagedServiceAccounts: [GroupManagedServiceAccount], hostAccountConfig: HostAccountConfig?,
        unknownFields: JSONObject = [:]
    ) {
        self.groupManagedServiceAccounts = groupManagedServiceAccounts
        self.hostAccountConfig = hostAccountConfig
        self.unknownFields = unknownFields
    }
}
