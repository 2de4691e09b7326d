import CCGPlugin
import CredSpec
import Synchronization
import Observability

/// The portable users' credentials the ECS agent passes with its requests, as a plug-in: a
/// CredSpec of a non-domain-joined lease names it with the PluginInput `ProvidedCredentials.input`
/// (caller, domain and user: never the password), so the journal holds no secret and the lease
/// keeper's cache, coalescing and refresh work as for any plug-in. Passwords live only in this
/// process's memory (wiped storage); after a restart the agent's next renewal brings them back.
package final class ProvidedCredentials: DomainAuthCredentials, Sendable {
    /// The PluginGUID of the CredSpecs the ECS front end builds.
    package static let guid = PluginGUID("3F6B1E2A-7C94-4D05-8A1E-5B2C9D7E4F18")!

    private struct Entry {
        var domain: String
        var username: String
        var password: Password
    }

    private let entries = Mutex<[String: Entry]>([:])

    package init() {
        Metrics.shared.describe(Self.heldMetric, type: "gauge", "Portable users whose password the ECS agent gave and ccgd holds (in memory only).")
    }

    static let heldMetric = "ccgd_ecs_portable_users"

    /// The PluginInput naming `username` of `domain` as given by the peer `uid`: one peer's
    /// password never serves another's leases.
    package static func input(uid: UInt32, domain: String, username: String) -> String {
        "ecs:\(uid):\(domain.lowercased())\\\(username.lowercased())"
    }

    /// Uses `password` for `username` of `domain` (for `uid`'s leases) from now on; answers the
    /// previous one (wiped when dropped).
    @discardableResult
    package func provide(uid: UInt32, domain: String, username: String, password: Password) -> Password? {
        let entry = Entry(domain: domain, username: username, password: password)
        return entries.withLock { entries in
            let key = Self.input(uid: uid, domain: domain, username: username)
            defer {
                entries[key] = entry
                Metrics.shared.set(Self.heldMetric, to: Double(entries.count))
            }
            return entries[key]?.password
        }
    }

    /// Drops the password of `username` of `domain` (for `uid`'s leases): no lease is read
    /// through it any more (a rotation moved them to another user). Answers whether one was held.
    @discardableResult
    package func forget(uid: UInt32, domain: String, username: String) -> Bool {
        entries.withLock { entries in
            defer { Metrics.shared.set(Self.heldMetric, to: Double(entries.count)) }
            return entries.removeValue(forKey: Self.input(uid: uid, domain: domain, username: username)) != nil
        }
    }

    /// How many users' passwords are held.
    package var count: Int { entries.withLock { $0.count } }

    /// Whether `password` is the one held for `username` of `domain` (for `uid`'s leases).
    package func holds(_ password: Password, uid: UInt32, domain: String, username: String) -> Bool {
        entries.withLock { $0[Self.input(uid: uid, domain: domain, username: username)]?.password == password }
    }

    package func passwordCredentials(pluginInput: String) async throws -> DomainCredential {
        guard let entry = entries.withLock({ $0[pluginInput] }) else {
            throw PluginError(
                .notFound,
                "no password for \(pluginInput) since ccgd started; the ECS agent provides it with its next AddNonDomainJoinedKerberosLease or RenewNonDomainJoinedKerberosLease."
            )
        }
        return DomainCredential(
            domainName: entry.domain, username: entry.username, password: entry.password,
            source: "provided by the ECS agent")
    }
}
