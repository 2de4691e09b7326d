import Directory
import DomainModel
import FoundationEssentials

/// What a DC's "no" means: no connection, no bind, no right to read the password, no account.
extension DoctorDiagnosis {
    /// The GSSAPI or simple bind failed on `controller`; `dcName` asks the DC its own name.
    static func bind(_ error: DirectoryError, controller: DomainController, principal: String, dcName: () -> String?) -> DoctorFinding {
        switch error {
        case let .bindRefused(_, mechanism, reason) where mechanism == "GSSAPI" && reason.contains("not found in Kerberos database"):
            let service = "ldap/\(controller.hostName)"
            let named =
                dcName().map { name in
                    name.lowercased() == controller.hostName.lowercased() ? "" : " (the DC calls itself \(name))"
                } ?? ""
            return DoctorFinding(
                "no ticket for \(service)",
                finding: "No ticket for \(service): the KDC knows no service principal of that name, so the sealed bind to \(controller) cannot start.",
                fix:
                    "The DC has no SPN \(service); check the DC's name\(named) in --dc, [domain] controllers or DNS, or register the SPN (setspn -S \(service) <DC's account>)."
            )
        case let .bindRefused(_, mechanism, reason) where mechanism == "GSSAPI" && reason.lowercased().contains("clock skew"):
            return clockSkew("\(controller): clock skew", local: Date(), kdc: nil, consequence: "the DC refused the GSSAPI bind of \(principal)")
        case let .bindRefused(_, mechanism, reason)
        where mechanism == "GSSAPI"
            && (reason.contains("SASL(-4)") || reason.lowercased().contains("unknown authentication method")):
            return DoctorFinding(
                "\(controller): no GSSAPI SASL mechanism", finding: "libsasl2 has no GSSAPI mechanism on this host: \(reason).",
                fix: "Install the SASL GSSAPI module (apt install libsasl2-modules-gssapi-mit, or dnf install cyrus-sasl-gssapi).")
        case let .bindRefused(_, mechanism, reason) where mechanism == "simple":
            return DoctorFinding(
                "\(controller): simple bind refused", finding: "\(controller) refused the LDAPS simple bind of \(principal): \(reason).",
                fix: "Check the portable user's password in the secret store and that the user may log on; or use the sealed GSSAPI bind (drop --ldaps).")
        case let .bindRefused(_, mechanism, reason):
            return DoctorFinding(
                "\(controller): \(mechanism) bind refused", finding: "\(controller) refused the \(mechanism) bind of \(principal): \(reason).",
                fix: "Check that the DC's name is the one in its ldap/ SPN and that the portable user may log on; \(traceHint).")
        case let .notSealed(_, strength):
            return DoctorFinding(
                "\(controller): not sealed (SSF \(strength))",
                finding:
                    "The GSSAPI bind to \(controller) negotiated no encryption (security strength \(strength)); the DC sends the managed password only sealed.",
                fix: "Check that libsasl2-modules-gssapi-mit is installed and the DC allows sealing, or use LDAPS (--ldaps, [domain] protection = ldaps).")
        case let .tlsFailed(_, reason):
            return DoctorFinding(
                "\(controller): TLS failed", finding: "TLS with \(controller) failed: \(reason).",
                fix: "Give the CA that signed the DC's certificate (--ca-file, [domain] ca-file) and name the DC as its certificate does.")
        default:
            let (finding, fix) = splitAdvice("\(error)")
            return DoctorFinding("\(controller): bind failed", finding: sentence(finding), fix: fix ?? "See the DC's message; \(traceHint).")
        }
    }

    /// Reading the gMSA failed on a bound connection.
    static func permission(_ error: DirectoryError, account: String, reader: String, dnsDomain: String) -> DoctorFinding {
        let name = AccountName(account).bare
        switch error {
        case let .accessDenied(account, reader):
            return DoctorFinding(
                "\(account): msDS-ManagedPassword withheld from \(reader)",
                finding:
                    "User \(reader) is not in PrincipalsAllowedToRetrieveManagedPassword of gMSA \(account): the DC returned the account without its password.",
                fix:
                    "Add the user, or a group it is in, to the gMSA: Set-ADServiceAccount -Identity \(name) -PrincipalsAllowedToRetrieveManagedPassword <group> (the list is replaced: name every principal that must keep access); Samba: samba-tool service-account group-msa-membership add --name=\(name) --principal=<DN>."
            )
        case let .accountNotFound(account, searchBase):
            return DoctorFinding(
                "\(account): no such gMSA",
                finding: "There is no group managed service account \(account) under \(searchBase).",
                fix:
                    "Check the Name in the CredSpec's GroupManagedServiceAccounts (a gMSA of \(dnsDomain), without $), or create it (New-ADServiceAccount -Name \(name) …)."
            )
        case let .confidentialityRequired(controller, reason):
            return DoctorFinding(
                "\(controller): DC requires sealing",
                finding: "The DC requires sealing: \(controller) refused to send the managed password of \(account) over this connection (\(reason)).",
                fix: "Use a sealed GSSAPI bind (the default) or LDAPS; if the bind claims to be sealed, check libsasl2-modules-gssapi-mit.")
        default:
            let (finding, fix) = splitAdvice("\(error)")
            return DoctorFinding("\(account): read failed", finding: sentence(finding), fix: fix ?? "See the DC's message and try again.")
        }
    }
}
