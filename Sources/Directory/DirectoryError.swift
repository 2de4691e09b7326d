/// Why a directory operation failed, with the facts an operator needs and never a secret.
package enum DirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// No TCP connection to the DC.
    case unreachable(controller: String, reason: String)
    /// DNS named no DC of the domain: `record` is the SRV record asked for, of `nameservers`
    /// (none: the system's), never a DC.
    case discoveryFailed(domain: String, record: String, nameservers: [String], reason: String)
    /// The TLS handshake or certificate check failed.
    case tlsFailed(controller: String, reason: String)
    /// The DC refused the bind (wrong password, unknown user, no ticket for `ldap/<dc>`…).
    case bindRefused(controller: String, mechanism: String, reason: String)
    /// The bind succeeded without the protection the password needs.
    case notSealed(controller: String, strength: Int)
    /// The DC answered that the operation needs an encrypted connection (AD's 0000202D).
    case confidentialityRequired(controller: String, reason: String)
    /// No managed service account of that name.
    case accountNotFound(account: String, searchBase: String)
    /// The account exists but the DC did not hand out its password to the bound user.
    case accessDenied(account: String, reader: String)
    /// Any other LDAP failure.
    case operationFailed(operation: String, controller: String, resultCode: Int32, reason: String)
    /// The DC returned something that is not what AD returns.
    case malformedAnswer(controller: String, reason: String)

    package var description: String {
        switch self {
        case let .unreachable(controller, reason):
            return "cannot connect to domain controller \(controller): \(reason); check its name, address and that it is reachable."
        case let .discoveryFailed(domain, record, nameservers, reason):
            let via = nameservers.isEmpty ? "the system's DNS servers" : nameservers.joined(separator: ", ")
            return
                "no domain controller of \(domain) was found: DNS SRV \(record) (asked of \(via)) gave none: \(reason); list the DCs in the domain's [domain] controllers, or publish the SRV records and set [daemon] dns-servers to DNS servers that know \(domain)."
        case let .tlsFailed(controller, reason):
            return "TLS with domain controller \(controller) failed: \(reason); check the CA certificate and that the certificate names the DC."
        case let .bindRefused(controller, mechanism, reason):
            return
                "domain controller \(controller) refused the \(mechanism) bind: \(reason); check the portable user's credentials and the DC's service principal."
        case let .notSealed(controller, strength):
            return
                "the bind to domain controller \(controller) is not encrypted (security strength \(strength)); the managed password is only sent over a sealed GSSAPI bind or LDAPS."
        case let .confidentialityRequired(controller, reason):
            return
                "domain controller \(controller) requires an encrypted connection to return the managed password (\(reason)); use a sealed GSSAPI bind or LDAPS."
        case let .accountNotFound(account, searchBase):
            return "no group managed service account \(account) under \(searchBase); check the CredSpec's account name and domain."
        case let .accessDenied(account, reader):
            return "\(reader) is not allowed to retrieve the managed password of \(account) (check PrincipalsAllowedToRetrieveManagedPassword)."
        case let .operationFailed(operation, controller, code, reason):
            return "cannot \(operation) on domain controller \(controller): \(reason) (LDAP result \(code))."
        case let .malformedAnswer(controller, reason):
            return "domain controller \(controller) sent an unexpected answer: \(reason)."
        }
    }
}
