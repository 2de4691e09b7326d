import Configuration
import Directory
import DomainModel

/// The first stage of every fetch (ccgd's, `ccgctl fetch`'s, `credspec new`'s and the doctor's):
/// how to reach a realm. The command line's DCs, else the `[domain]` section's, else those the
/// domain's DNS SRV records name; then the command line's protection and timeout over the section's.
package struct DomainResolver: Sendable {
    /// What a command line says, over the configuration.
    package struct Overrides: Sendable {
        /// `--dc`: these DCs, in order, instead of the section's or DNS's.
        package var controllers: [DomainController]
        /// `--ldaps`: a CA file of nil takes the section's `ca-file`.
        package var protection: DomainSettings.Protection?
        /// `--timeout`, in seconds.
        package var timeout: Int?

        package init(controllers: [DomainController] = [], protection: DomainSettings.Protection? = nil, timeout: Int? = nil) {
            self.controllers = controllers
            self.protection = protection
            self.timeout = timeout
        }
    }

    /// Where the DCs came from, for a report.
    package enum Origin: Sendable, Equatable {
        case commandLine
        case section(realm: String)
        /// The SRV record asked for, and of which servers (none: the system's).
        case dns(record: String, nameservers: [String])
    }

    package struct Resolution: Sendable {
        package let settings: DomainSettings
        package let origin: Origin
        /// The site and the site's DCs, for DCs found in DNS (nil otherwise: the listed order is kept).
        package var location: DomainControllerLocation? = nil
    }

    private let configured: [String: DomainSettings]
    /// Each section's `ca-file`, for `--ldaps` without `--ca-file`.
    private let caFiles: [String: String]
    package let locator: DomainControllerLocator
    package let overrides: Overrides

    package init(
        configured: [String: DomainSettings], caFiles: [String: String] = [:],
        locator: DomainControllerLocator = DomainControllerLocator(), overrides: Overrides = Overrides()
    ) {
        self.configured = Dictionary(configured.map { ($0.key.uppercased(), $0.value) }, uniquingKeysWith: { $1 })
        self.caFiles = Dictionary(caFiles.map { ($0.key.uppercased(), $0.value) }, uniquingKeysWith: { $1 })
        self.locator = locator
        self.overrides = overrides
    }

    /// The `[domain]` sections and DNS servers of `configuration`, under `overrides`.
    package init(configuration: ServiceConfiguration, overrides: Overrides = Overrides()) {
        self.init(
            configured: Dictionary(configuration.domains.map { ($0.realm, DomainSettings($0)) }, uniquingKeysWith: { $1 }),
            caFiles: Dictionary(
                configuration.domains.compactMap { domain in domain.caFile.map { (domain.realm, $0) } },
                uniquingKeysWith: { $1 }),
            locator: DomainControllerLocator(nameservers: configuration.daemon.dnsServers, site: configuration.daemon.site),
            overrides: overrides)
    }

    /// The configured settings of `realm` with at least one DC, if any: those need no DNS.
    package func configuredSettings(realm: String) -> DomainSettings? {
        guard overrides.controllers.isEmpty, let settings = configured[realm.uppercased()], !settings.controllers.isEmpty else { return nil }
        return applyingOverrides(to: settings, realm: realm.uppercased())
    }

    /// How to reach `realm` (whose DNS domain is `dnsDomain`). Blocking: the last resort asks DNS.
    package func resolve(realm: String, dnsDomain: String) throws(DirectoryError) -> Resolution {
        let realm = realm.uppercased()
        var settings = configured[realm] ?? DomainSettings(controllers: [])
        let origin: Origin
        var location: DomainControllerLocation?
        if !overrides.controllers.isEmpty {
            settings.controllers = overrides.controllers
            origin = .commandLine
        } else if !settings.controllers.isEmpty {
            origin = .section(realm: realm)
        } else {
            let found = try locator.locate(domain: dnsDomain)
            settings.controllers = found.controllers
            location = found
            origin = .dns(record: Self.serviceRecord(of: dnsDomain), nameservers: locator.nameservers)
        }
        return Resolution(settings: applyingOverrides(to: settings, realm: realm), origin: origin, location: location)
    }

    /// The SRV record naming the DCs of `dnsDomain`.
    package static func serviceRecord(of dnsDomain: String) -> String {
        DomainControllerLocator.serviceRecord(of: dnsDomain)
    }

    private func applyingOverrides(to settings: DomainSettings, realm: String) -> DomainSettings {
        var settings = settings
        switch overrides.protection {
        case .ldaps(caFile: nil): settings.protection = .ldaps(caFile: caFiles[realm])
        case let protection?: settings.protection = protection
        case nil: break
        }
        if let timeout = overrides.timeout { settings.timeout = max(1, timeout) }
        return settings
    }
}
