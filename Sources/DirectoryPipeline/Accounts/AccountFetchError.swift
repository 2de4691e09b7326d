import Directory
import Kerberos
import KerberosKeys
import Observability

/// Why fetching a gMSA failed; each case names the step, the input and what to do.
package enum AccountFetchError: CodedError, Sendable {
    /// The CredSpec names no domain controller and none was configured.
    case noDomainControllers(realm: String)
    /// The portable user could not log in to the KDC.
    case portableUserLogin(principal: String, KerberosError)
    /// The host's computer account could not log in with its keytab.
    case machineAccountLogin(principal: String, keytab: String, KerberosError)
    /// A domain-joined read was configured with LDAPS, whose simple bind needs a password.
    case machineAccountNeedsSealedBind(realm: String)
    /// The computer account is not among the readers of the gMSA's password.
    case machineAccountNotAllowed(account: String, machine: String)
    /// Every DC failed to connect; the reasons in order.
    case controllersUnreachable(realm: String, [DirectoryError])
    /// No KDC answered a login (of `principal`); each DC's Kerberos port was tried for the cause.
    case kdcUnreachable(realm: String, principal: String, [ControllerFailure])
    /// A directory step failed (bind, access, account lookup).
    case directory(DirectoryError)
    /// The DC answered with another account than the one asked for.
    case accountNameMismatch(requested: String, returned: String)
    /// The DC sent a blob that is not an MSDS-MANAGEDPASSWORD_BLOB.
    case malformedPassword(account: String, ManagedPasswordBlobError)
    /// libkrb5 or OpenSSL failed to derive a key.
    case keyDerivation(account: String, KeyDerivationError)
    /// The derived keys did not get a ticket for the gMSA itself.
    case managedAccountLogin(principal: String, KerberosError)
    /// A file could not be written.
    case output(path: String, reason: String)

    package var code: ErrorCode {
        switch self {
        case .noDomainControllers: .directoryUnreachable
        case let .portableUserLogin(_, error), let .managedAccountLogin(_, error):
            [.kdcUnreachable, .kdcBusy, .realmUnknown].contains(error.kind) ? .directoryUnreachable : .authFailed
        case let .machineAccountLogin(_, _, error):
            [.kdcUnreachable, .kdcBusy, .realmUnknown].contains(error.kind) ? .directoryUnreachable : .authFailed
        case .machineAccountNeedsSealedBind: .authFailed
        case .machineAccountNotAllowed: .directoryAccessDenied
        case .controllersUnreachable, .kdcUnreachable: .directoryUnreachable
        case let .directory(error):
            switch error {
            case .unreachable, .tlsFailed, .discoveryFailed: .directoryUnreachable
            case .bindRefused: .authFailed
            case .accessDenied, .notSealed, .confidentialityRequired: .directoryAccessDenied
            case .accountNotFound: .accountNotFound
            case .operationFailed, .malformedAnswer: .directoryMalformedAnswer
            }
        case .malformedPassword, .accountNameMismatch: .directoryMalformedAnswer
        case .keyDerivation, .output: .internal
        }
    }

    package var description: String {
        switch self {
        case let .noDomainControllers(realm):
            return "no domain controller is known for \(realm); list them in the configuration (controllers) or publish DNS SRV records."
        case let .portableUserLogin(principal, error):
            return "portable user \(principal) could not log in: \(error)"
        case let .machineAccountLogin(principal, keytab, error):
            return
                "this host's computer account \(principal) could not log in with the keytab \(keytab): \(error) Set machine-keytab and machine-principal in the domain's [domain] section to the keytab and principal the host's domain join left."
        case let .machineAccountNeedsSealedBind(realm):
            return "domain \(realm) is read with this host's computer account, which binds with GSSAPI only; set protection = sealed in its [domain] section."
        case let .machineAccountNotAllowed(account, machine):
            return
                "this host's computer account \(machine) is not allowed to retrieve the managed password of \(account); add it to the group that the gMSA's msDS-GroupMSAMembership (PrincipalsAllowedToRetrieveManagedPassword) names, and note that the host needs a new ticket after a group change (ccgd logs in anew on its next try)."
        case let .controllersUnreachable(realm, errors):
            let causes = errors.map { error in
                switch error {
                case let .unreachable(controller, reason): "\(controller): \(reason)"
                case let .tlsFailed(controller, reason): "\(controller): TLS failed: \(reason)"
                default: "\(error)"
                }
            }
            return
                "no domain controller of \(realm) could be reached over LDAP: \(causes.joined(separator: "; ")); check the DCs' names and addresses ([domain \"\(realm)\"] controllers or DNS) and that their LDAP port is open from this host."
        case let .kdcUnreachable(realm, principal, failures):
            return
                "no domain controller of \(realm) answered the Kerberos login of \(principal): \(failures.map(\.description).joined(separator: "; ")); check the DCs' names and addresses ([domain \"\(realm)\"] controllers or DNS) and that TCP port 88 is open from this host."
        case let .directory(error):
            return "\(error)"
        case let .accountNameMismatch(requested, returned):
            return
                "the domain controller answered a request for \(requested) with the account \(returned); ccgd uses only the account it asked for, so check the directory for a renamed or duplicate sAMAccountName."
        case let .malformedPassword(account, error):
            return "the managed password of \(account) is malformed: \(error)"
        case let .keyDerivation(account, error):
            return "cannot derive the keys of \(account): \(error)"
        case let .managedAccountLogin(principal, error):
            if error.kind == .clientRevoked {
                return "\(principal) is disabled or locked in the directory; enable the account (Enable-ADAccount, or samba-tool user enable)."
            }
            return "the KDC did not accept the keys derived for \(principal): \(error)"
        case let .output(path, reason):
            return "cannot write \(path): \(reason)"
        }
    }
}
