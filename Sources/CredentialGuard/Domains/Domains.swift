import Directory
import FoundationEssentials
import Kerberos
import Synchronization

/// How to reach each realm: the configured `[domain]` sections, and for any other realm the DCs
/// DNS SRV records name (found when first needed, kept for `discoveryLifetime`). Keeps the
/// process's krb5.conf in step, since libkrb5 and GSS-API find KDCs there.
public final class Domains: Sendable {
    private let configured: [String: DomainSettings]
    private let locator: DomainControllerLocator
    private let kerberosConfigurationPath: String?
    private let health: ControllerHealth
    private let discoveryLifetime: TimeInterval
    private let discovered = Mutex<[String: (settings: DomainSettings, until: Date)]>([:])

    public init(configured: [String: DomainSettings], locator: DomainControllerLocator = DomainControllerLocator(),
                kerberosConfigurationPath: String? = nil, health: ControllerHealth = ControllerHealth(),
                discoveryLifetime: TimeInterval = 900) {
        self.configured = Dictionary(configured.map { ($0.key.uppercased(), $0.value) }, uniquingKeysWith: { $1 })
        self.locator = locator
        self.kerberosConfigurationPath = kerberosConfigurationPath
        self.health = health
        self.discoveryLifetime = discoveryLifetime
        for (realm, settings) in self.configured { health.know(realm: realm, hosts: settings.controllers.map(\.hostName)) }
    }

    /// The settings of `realm` (whose DNS domain is `dnsDomain`), discovering its DCs if needed.
    /// Blocking: discovery asks DNS.
    public func settings(realm: String, dnsDomain: String) throws(AccountFetchError) -> DomainSettings {
        let realm = realm.uppercased()
        if let settings = configured[realm], !settings.controllers.isEmpty { return settings }
        if let cached = discovered.withLock({ $0[realm] }), cached.until > Date() { return cached.settings }
        let controllers: [DomainController]
        do { controllers = try locator.controllers(forDomain: dnsDomain) } catch { throw .directory(error) }
        var settings = configured[realm] ?? DomainSettings(controllers: [])
        settings.controllers = controllers
        let all = discovered.withLock { discovered in
            discovered[realm] = (settings, Date().addingTimeInterval(discoveryLifetime))
            return discovered.mapValues(\.settings)
        }
        health.know(realm: realm, hosts: controllers.map(\.hostName))
        try? writeKerberosConfiguration(discovered: all)
        return settings
    }

    /// The process's Kerberos configuration: every configured and discovered realm with its KDCs.
    public func kerberosConfiguration() -> KerberosConfiguration {
        kerberosConfiguration(discovered: discovered.withLock { $0.mapValues(\.settings) })
    }

    /// Writes the process's krb5.conf (call once at start-up; discoveries rewrite it).
    public func writeKerberosConfiguration() throws {
        try writeKerberosConfiguration(discovered: discovered.withLock { $0.mapValues(\.settings) })
    }

    private func writeKerberosConfiguration(discovered: [String: DomainSettings]) throws {
        guard let kerberosConfigurationPath else { return }
        try ProcessKerberosConfiguration.install(kerberosConfiguration(discovered: discovered), at: kerberosConfigurationPath)
    }

    private func kerberosConfiguration(discovered: [String: DomainSettings]) -> KerberosConfiguration {
        let all = configured.merging(discovered) { $1 }
        let realms = all.map { realm, settings in
            ProcessKerberosConfiguration.make(realm: realm, dnsDomain: realm.lowercased(), settings: settings).realms[0]
        }.sorted { $0.name < $1.name }
        return KerberosConfiguration(defaultRealm: configured.keys.sorted().first ?? realms.first?.name ?? "", realms: realms)
    }
}
