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
}
