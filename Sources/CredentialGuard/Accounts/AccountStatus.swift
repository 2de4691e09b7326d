import FoundationEssentials

/// An account's freshness, as `GET /v1/accounts` shows it.
public enum AccountState: String, Sendable, Codable {
    case fresh, refreshing, stale, failed
}

/// One cached account, without secrets.
public struct AccountStatus: Sendable {
    public let account: String
    public let realm: String
    public let kvno: UInt32?
    public let enctypes: [String]
    public let fetchedAt: Date?
    public let refreshAt: Date?
    public let leases: Int
    public let state: AccountState
    public let lastError: String?
    /// Kept fresh for the prefetch of a named CredSpec, with or without leases.
    public let prefetched: Bool
    /// Who reads its password (the cache keeps one entry per reader).
    public let readBy: AccountReader
    /// The named CredSpecs whose leases or prefetch use it, sorted (inline CredSpecs have no name).
    public let credSpecs: [String]
}

/// Who reads an account's password: the portable user a plug-in gives, or this host's computer
/// account. Never the PluginInput, nor anything made from it.
public enum AccountReader: Sendable, Equatable {
    /// The plug-in's GUID as the CredSpec names it, and its name when it is registered.
    case plugin(guid: String, name: String?)
    case machine(principal: String)
}
