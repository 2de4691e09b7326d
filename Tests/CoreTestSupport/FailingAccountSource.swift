import CredSpec
import DirectoryPipeline

/// An account source whose every fetch and renewal fails, for tests that never create a lease or
/// whose domain is unreachable (restored leases stay, without files).
package struct FailingAccountSource: AccountSource {
    package struct Unreachable: Error {}

    package init() {}

    package func fetch(accounts: [String], of spec: CredentialSpec) async throws -> [AccountCredentials] { throw Unreachable() }
    package func renewTicket(_ credentials: AccountCredentials) async throws -> AccountCredentials { throw Unreachable() }
}
