import FoundationEssentials

/// An account's freshness, as `GET /v1/accounts` shows it.
package enum AccountState: String, Sendable, Codable {
    case fresh, refreshing, stale, failed
}

/// One cached account, without secrets.
package struct AccountStatus: Sendable {
    package let account: String
    package let realm: String
    package let kvno: UInt32?
    package let enctypes: [String]
    package let fetchedAt: Date?
    package let refreshAt: Date?
    package let leases: Int
    package let state: AccountState
    package let lastError: String?
    /// Kept fresh for the prefetch of a named CredSpec, with or without leases.
    package let prefetched: Bool
    /// Who reads its password (the cache keeps one entry per reader).
    package let readBy: AccountReader
    /// The named CredSpecs whose leases or prefetch use it, sorted (inline CredSpecs have no name).
    package let credSpecs: [String]
}

/// Who reads an account's password: the portable user a plug-in gives, or this host's computer
/// account. Never the PluginInput, nor anything made from it.
package enum AccountReader: Sendable, Equatable {
    /// The plug-in's GUID as the CredSpec names it, and its name when it is registered.
    case plugin(guid: String, name: String?)
    case machine(principal: String)
}
