import CredSpec
import CredentialGuard

/// An account source whose every fetch and renewal fails, for tests that never create a lease or
/// whose domain is unreachable (restored leases stay, without files).
public struct FailingAccountSource: AccountSource {
    public struct Unreachable: Error {}

    public init() {}

    public func fetch(accounts: [String], of spec: CredentialSpec) async throws -> [AccountCredentials] { throw Unreachable() }
    public func renewTicket(_ credentials: AccountCredentials) async throws -> AccountCredentials { throw Unreachable() }
}
