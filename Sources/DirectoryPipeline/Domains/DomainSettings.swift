import CredSpec
import Directory
import DomainModel

/// How ccgd reaches one domain: which DCs, in order, and how the password travels.
package struct DomainSettings: Sendable, Equatable {
    /// How the managed password is protected on the wire.
    package enum Protection: Sendable, Equatable {
        /// GSSAPI bind as the portable user, sealed (encrypted) by Kerberos.
        case sealedGSSAPI
        /// LDAPS and a simple bind as the portable user; `caFile` checks the DC's certificate.
        case ldaps(caFile: String?)
    }

    package var controllers: [DomainController]
    package var protection: Protection
    /// Seconds to wait for a DC's connection and for each of its answers, before the next DC is
    /// asked (`[domain] timeout`, 1 s by default: see `ServiceConfiguration.Domain.timeout`).
    package var timeout: Int
    /// The host's computer account, for CredSpecs without a HostAccountConfig.
    package var machine = MachineAccount()
    /// Every CredSpec of the domain is read with the computer account (`mode = domain-joined`).
    package var forcesDomainJoined = false

    package init(controllers: [DomainController], protection: Protection = .sealedGSSAPI, timeout: Int = 1) {
        self.controllers = controllers
        self.protection = protection
        self.timeout = timeout
    }
}

import Configuration

extension DomainSettings {
    /// The settings a `[domain "REALM"]` section gives.
    package init(_ domain: ServiceConfiguration.Domain) {
        let protection: Protection = domain.protection == .ldaps ? .ldaps(caFile: domain.caFile) : .sealedGSSAPI
        self.init(
            controllers: domain.controllers, protection: protection,
            timeout: max(1, Int(domain.timeout.components.seconds)))
        machine = MachineAccount(keytab: domain.machineKeytab, principal: domain.machinePrincipal)
        forcesDomainJoined = domain.forcesDomainJoined
    }
}
