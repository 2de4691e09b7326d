import CCGPlugin
import CredSpec
import Directory
import FoundationEssentials
import Glibc
import Kerberos
import Synchronization
import Observability
import PluginHost
import SystemSupport
import SystemBasics

/// Where account credentials come from. The daemon's is the directory (`DirectoryAccountSource`);
/// tests give their own to drive rotations with a sequence of blobs.
package protocol AccountSource: Sendable {
    /// Fetches `accounts` of `spec` (one plug-in call and one directory session for all of them).
    func fetch(accounts: [String], of spec: CredentialSpec) async throws -> [AccountCredentials]
    /// A new TGT for the same keys.
    func renewTicket(_ credentials: AccountCredentials) async throws -> AccountCredentials
    /// The host's computer account (principal and keytab) that reads `spec`'s accounts; nil when
    /// the portable user of `spec`'s plug-in reads them.
    func machineAccount(for spec: CredentialSpec) -> String?
    /// The name the plug-in registered for `guid` has, if any.
    func pluginName(_ guid: PluginGUID) -> String?
}

extension AccountSource {
    package func machineAccount(for spec: CredentialSpec) -> String? {
        DirectoryReader.of(spec, domain: nil) == .computerAccount ? "the host's computer account" : nil
    }

    package func pluginName(_ guid: PluginGUID) -> String? { nil }
}

/// The real source: the CredSpec's plug-in, then the domain's DCs, then libkrb5. Its plug-ins
/// and domains are replaced when the configuration is reloaded.
package final class DirectoryAccountSource: AccountSource {
    private let configured: Mutex<(plugins: PluginRegistry, domains: Domains)>
    /// A private directory (0700) libkrb5 may write its files into for a moment.
    package let scratch: String
    package let health: ControllerHealth
    private let blocking = BlockingWork(label: "ccgd.directory")
    /// The life asked for the accounts' tickets (nil: the KDC's maximum).
    private let ticketLifetime = Mutex<TimeInterval?>(nil)
    /// Warm directory sessions, one per domain and reader (see `DirectorySessions` for when they end).
    let sessions: DirectorySessions

    package init(plugins: PluginRegistry, scratch: String, domains: Domains, health: ControllerHealth) {
        configured = Mutex((plugins, domains))
        self.scratch = scratch
        self.health = health
        sessions = DirectorySessions(health: health)
    }

    /// The plug-ins and domains to use from now on (requests in flight finish with the old ones).
    package func reconfigure(plugins: PluginRegistry, domains: Domains) {
        configured.withLock { $0 = (plugins, domains) }
        // Sessions belong to the old domains and plug-ins: the next fetch logs in anew.
        sessions.dropAll()
    }

    /// The next read as this portable user logs in anew (its password was renewed).
    package func forgetSessions(ofPortableUser username: String, domain: String) {
        sessions.drop(portableUser: username, domain: domain)
    }

    /// Tickets obtained from now on ask for this life (nil: the KDC's maximum).
    package func useTicketLifetime(_ lifetime: TimeInterval?) {
        ticketLifetime.withLock { $0 = lifetime }
    }

    package var plugins: PluginRegistry { configured.withLock { $0.plugins } }
    package var domains: Domains { configured.withLock { $0.domains } }

    package func fetch(accounts: [String], of spec: CredentialSpec) async throws -> [AccountCredentials] {
        let (plugins, domains) = configured.withLock { ($0.plugins, $0.domains) }
        // No plug-in for a domain-joined read: the host's computer account reads the password.
        let credential: DomainCredential? =
            if let host = DirectoryReader.of(spec, domain: domains.configuredSettings(realm: spec.realm)).portableUser {
                try await plugins.credentials(for: host)
            } else {
                nil
            }
        let (scratch, health, realm, lifetime, sessions) = (self.scratch, self.health, spec.realm, ticketLifetime.withLock { $0 }, self.sessions)
        let started = ContinuousClock.now
        do {
            let fetched = try await blocking.run {
                // The DCs in their own order; each connection asks them in the order of its moment.
                let settings = try domains.preferredSettings(realm: spec.realm, dnsDomain: spec.dnsDomain)
                let login =
                    credential.map(DomainLogin.portableUser)
                    ?? .machine(principal: settings.machine.principal(realm: realm), keytab: settings.machine.keytab)
                var fetcher = ManagedAccountFetcher(settings: settings)
                let healthRealm = realm.uppercased()
                fetcher.ordering = { health.ordered(realm: healthRealm, $0) }
                // libkrb5 gives a KDC that accepts TCP and never answers 10 s before it asks the
                // next (MIT's wait for a stream): a root DSE search, 1 s at most per DC, finds the
                // first DC that answers before the login, and a hung one goes last in the krb5.conf.
                let preferred = settings.controllers
                fetcher.beforeLogin = {
                    for controller in health.ordered(realm: healthRealm, preferred) {
                        let failure = ControllerProber.probe(controller, timeout: 1)
                        if let failure {
                            health.record(realm: healthRealm, host: controller.hostName, reachable: false, cause: failure)
                        } else {
                            health.record(realm: healthRealm, host: controller.hostName, reachable: true)
                            return
                        }
                    }
                }
                let result: ManagedAccountFetcher.Result, credentials: [AccountCredentials]
                do {
                    // The gMSA's AS exchange in `make` is the KDC's confirmation of its keys.
                    (result, credentials) = try fetcher.fetch(
                        accounts: accounts, realm: spec.realm, dnsDomain: spec.dnsDomain, netBiosName: spec.domainJoinConfig.netBiosName,
                        login: login, sessions: sessions,
                        confirmingWith: { account throws(AccountFetchError) in
                            try AccountCredentials.make(account, scratch: scratch, ticketLifetime: lifetime)
                        })
                } catch {
                    switch error as? AccountFetchError {
                    case let .controllersUnreachable(_, failures):
                        for failure in failures {
                            guard case let .unreachable(name, reason) = failure else { continue }
                            for controller in settings.controllers where controller.description == name {
                                health.record(realm: healthRealm, host: controller.hostName, reachable: false, cause: reason)
                            }
                        }
                    case let .kdcUnreachable(_, _, failures):
                        for failure in failures {
                            health.record(realm: healthRealm, host: failure.controller.hostName, reachable: false, cause: failure.cause)
                        }
                    default: break
                    }
                    throw error
                }
                for (skipped, cause) in result.unreachable {
                    health.record(realm: healthRealm, host: skipped.hostName, reachable: false, cause: cause)
                }
                health.record(realm: healthRealm, host: result.controller.hostName, reachable: true)
                health.use(realm: healthRealm, host: result.controller.hostName)
                return credentials
            }
            Metrics.shared.increment("ccgd_account_fetches_total", ["result": "ok"])
            Metrics.shared.observe("ccgd_account_fetch_seconds", seconds: (ContinuousClock.now - started).secondsValue)
            return fetched
        } catch {
            Metrics.shared.increment("ccgd_account_fetches_total", ["result": AccountFetchResult.label(error)])
            throw error
        }
    }

    /// Logs `credential`'s user in to the domain of `spec` and lets go (one AS exchange, nothing
    /// kept): the KDC's word on a password before it replaces one that works.
    package func verifyPortableUser(_ credential: DomainCredential, for spec: CredentialSpec) async throws(AccountFetchError) {
        let domains = self.domains
        do {
            try await blocking.run { () throws in
                let settings = try domains.settings(realm: spec.realm, dnsDomain: spec.dnsDomain)
                let user = PortableUser(
                    credential, realm: spec.realm, dnsDomain: spec.dnsDomain,
                    netBiosName: spec.domainJoinConfig.netBiosName)
                let password = credential.password.withUTF8 { SecretBytes(copying: $0) }
                do { _ = try DirectorySession.logIn(user, password: password) } catch let error as KerberosError {
                    throw DirectorySession.unanswered(error, principal: user.principal, settings: settings, realm: spec.realm)
                        ?? AccountFetchError.portableUserLogin(principal: user.principal, error)
                }
            }
        } catch let error as AccountFetchError {
            throw error
        } catch {
            throw .output(path: "", reason: "\(error)")
        }
    }

    package func machineAccount(for spec: CredentialSpec) -> String? {
        let section = domains.configuredSettings(realm: spec.realm)
        guard DirectoryReader.of(spec, domain: section) == .computerAccount else { return nil }
        let machine = section?.machine ?? MachineAccount()
        return machine.principal(realm: spec.realm) + " " + machine.keytab
    }

    package func pluginName(_ guid: PluginGUID) -> String? {
        plugins.all.first { $0.guid == guid }?.name
    }

    package func renewTicket(_ credentials: AccountCredentials) async throws -> AccountCredentials {
        let (scratch, lifetime, health) = (self.scratch, ticketLifetime.withLock { $0 }, self.health)
        return try await blocking.run {
            let renewed = try credentials.renewingTicket(scratch: scratch, ticketLifetime: lifetime)
            // A KDC of the realm answered, but libkrb5 does not say which, and a port that accepts
            // may belong to a hung DC: the DCs recorded failed are probed now (a root DSE search,
            // as ControllerProber does), so that one that is back is seen without waiting for its backoff.
            let realm = credentials.account.realm.uppercased()
            for controller in health.failed(realm: realm) {
                health.recordProbe(
                    realm: realm, host: controller.hostName,
                    failure: ControllerProber.probe(controller, timeout: 1))
            }
            return renewed
        }
    }
}
