import Configuration
import CredSpec

/// Who reads a CredSpec's accounts from the directory: the portable user its plug-in knows, or
/// the host's computer account (a CredSpec without a HostAccountConfig, or any CredSpec of a
/// domain configured `mode = domain-joined`). The one place that decides it.
package enum DirectoryReader: Equatable, Sendable {
    case portableUser(HostAccountConfig)
    case computerAccount

    /// The reader of `spec` when its domain forces (or does not force) the computer account.
    package static func of(_ spec: CredentialSpec, forcesDomainJoined: Bool) -> DirectoryReader {
        if let host = spec.hostAccountConfig, !forcesDomainJoined { return .portableUser(host) }
        return .computerAccount
    }

    /// The reader of `spec` under its domain's settings (nil: the domain has no section).
    package static func of(_ spec: CredentialSpec, domain: DomainSettings?) -> DirectoryReader {
        of(spec, forcesDomainJoined: domain?.forcesDomainJoined ?? false)
    }

    /// The reader of `spec` under `configuration`'s section for its realm.
    package static func of(_ spec: CredentialSpec, configuration: ServiceConfiguration) -> DirectoryReader {
        of(spec, forcesDomainJoined: configuration.domain(spec.realm)?.forcesDomainJoined ?? false)
    }

    /// The plug-in's portable user's HostAccountConfig; nil when the computer account reads.
    package var portableUser: HostAccountConfig? {
        if case let .portableUser(host) = self { return host }
        return nil
    }
}
