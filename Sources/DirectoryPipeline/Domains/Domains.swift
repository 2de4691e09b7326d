import Directory
import FoundationEssentials
import Kerberos
import Synchronization
import DomainModel

/// How ccgd reaches each realm: the `DomainResolver`'s answer, with DNS discoveries kept for
/// `discoveryLifetime`. Keeps the process's krb5.conf in step, since libkrb5 and GSS-API find
/// KDCs there (the file is rewritten; KRB5_CONFIG is set once, at start-up).
package final class Domains: Sendable {
    private let configured: [String: DomainSettings]
    private let resolver: DomainResolver
    private let kerberosConfigurationPath: String?
    private let health: ControllerHealth
    private let discoveryLifetime: TimeInterval
    private let discovered = Mutex<[String: (settings: DomainSettings, until: Date)]>([:])

    package init(
        configured: [String: DomainSettings], locator: DomainControllerLocator = DomainControllerLocator(),
        kerberosConfigurationPath: String? = nil, health: ControllerHealth = ControllerHealth(),
        discoveryLifetime: TimeInterval = 900
    ) {
        self.configured = Dictionary(configured.map { ($0.key.uppercased(), $0.value) }, uniquingKeysWith: { $1 })
        resolver = DomainResolver(configured: configured, locator: locator)
        self.kerberosConfigurationPath = kerberosConfigurationPath
        self.health = health
        self.discoveryLifetime = discoveryLifetime
        for (realm, settings) in self.configured { health.know(realm: realm, controllers: settings.controllers) }
        // A DC that fails or comes back changes the order libkrb5 must ask the KDCs in.
        health.observe { [weak self] in try? self?.writeKerberosConfiguration() }
    }

    /// The settings of `realm`'s `[domain]` section, if it has one (never asks DNS).
    package func configuredSettings(realm: String) -> DomainSettings? {
        configured[realm.uppercased()]
    }

    /// The settings of `realm` (whose DNS domain is `dnsDomain`), discovering its DCs if needed.
    /// Blocking: discovery asks DNS.
    /// The DCs come in the order to ask them now: a failed one last (see `ControllerHealth`).
    package func settings(realm: String, dnsDomain: String) throws(AccountFetchError) -> DomainSettings {
        var settings = try preferredSettings(realm: realm, dnsDomain: dnsDomain)
        settings.controllers = health.ordered(realm: realm.uppercased(), settings.controllers)
        return settings
    }

    /// The settings with the DCs in their configured or discovered order.
    package func preferredSettings(realm: String, dnsDomain: String) throws(AccountFetchError) -> DomainSettings {
        let realm = realm.uppercased()
        if let settings = resolver.configuredSettings(realm: realm) { return settings }
        if let cached = discovered.withLock({ $0[realm] }), cached.until > Date() { return cached.settings }
        let resolution: DomainResolver.Resolution
        do { resolution = try resolver.resolve(realm: realm, dnsDomain: dnsDomain) } catch { throw .directory(error) }
        var settings = resolution.settings
        let site = resolution.location
        let all = discovered.withLock { discovered in
            // SRV records of one priority and weight come in a new random order at each lookup:
            // the DCs known already keep their order, so that a rediscovery does not move the
            // warm sessions to another DC (each move is a new login).
            // The site's DCs stay first, so only the order within the site and within the others is kept.
            if let previous = discovered[realm]?.settings.controllers {
                let inSite = settings.controllers.filter { site?.isInSite($0.hostName) == true }
                let others = settings.controllers.filter { site?.isInSite($0.hostName) != true }
                settings.controllers = Self.keepingOrder(of: previous, inSite) + Self.keepingOrder(of: previous, others)
            }
            discovered[realm] = (settings, Date().addingTimeInterval(discoveryLifetime))
            return discovered.mapValues(\.settings)
        }
        let controllers = settings.controllers
        health.know(realm: realm, controllers: controllers)
        if let site { health.locate(realm: realm, site) }
        try? writeKerberosConfiguration(discovered: all)
        return settings
    }

    /// `found`, with the DCs also in `previous` first and in `previous`'s order, the new ones after.
    static func keepingOrder(of previous: [DomainController], _ found: [DomainController]) -> [DomainController] {
        let known = previous.compactMap { old in found.first { $0.hostName.lowercased() == old.hostName.lowercased() } }
        return known + found.filter { new in !known.contains(new) }
    }

    /// The process's Kerberos configuration: every configured and discovered realm with its KDCs.
    package func kerberosConfiguration() -> KerberosConfiguration {
        kerberosConfiguration(discovered: discovered.withLock { $0.mapValues(\.settings) })
    }

    /// Writes the process's krb5.conf (at start-up and reload; discoveries rewrite it).
    package func writeKerberosConfiguration() throws {
        try writeKerberosConfiguration(discovered: discovered.withLock { $0.mapValues(\.settings) })
    }

    private func writeKerberosConfiguration(discovered: [String: DomainSettings]) throws {
        guard let kerberosConfigurationPath else { return }
        try ProcessKerberosConfiguration.write(kerberosConfiguration(discovered: discovered), at: kerberosConfigurationPath)
    }

    private func kerberosConfiguration(discovered: [String: DomainSettings]) -> KerberosConfiguration {
        let all = configured.merging(discovered) { $1 }
        let realms = all.map { realm, settings in
            var settings = settings
            // libkrb5 asks the KDCs in the file's order, waiting 1 s on each before the next: a
            // failed DC listed last costs nothing until it is needed.
            settings.controllers = health.ordered(realm: realm, settings.controllers)
            return ProcessKerberosConfiguration.make(realm: realm, dnsDomain: realm.lowercased(), settings: settings).realms[0]
        }.sorted { $0.name < $1.name }
        return KerberosConfiguration(defaultRealm: configured.keys.sorted().first ?? realms.first?.name ?? "", realms: realms)
    }
}
