import Directory
import FoundationEssentials
import Kerberos
import KerberosKeys
import DirectoryPipeline

/// What a KDC's "no" means for the portable user and for the gMSA.
extension DoctorDiagnosis {
    static let traceHint = "run again with KRB5_TRACE=/dev/stderr to see libkrb5's exchange with the KDC"

    static func portableUserLogin(
        _ error: KerberosError, principal: String, answer: PluginAnswer, realm: String, kdcTime: () -> Date?
    ) -> DoctorFinding {
        let short = "\(principal): \(error.libraryMessage)"
        switch error.kind {
        case .wrongPassword:
            return DoctorFinding(
                short, finding: "The KDC rejected the password of \(principal) that \(answer.source) returned.",
                fix: "Put the account's current password in \(answer.store), or reset it in AD (Set-ADAccountPassword) and update the store.")
        case .clientUnknown:
            return DoctorFinding(
                short, finding: "The KDC of \(realm) does not know the portable user \(principal) (\(answer.source) returned \(answer.credential)).",
                fix: "Check the user name and domain in \(answer.store); the user must exist in \(realm) (Get-ADUser \(answer.credential.username)).")
        case .clientRevoked:
            return DoctorFinding(
                short, finding: "The portable user \(principal) is disabled, locked out or expired in AD.",
                fix: "Enable or unlock it (Enable-ADAccount, Unlock-ADAccount; samba-tool user enable) and check its account expiry date.")
        case .passwordExpired:
            return DoctorFinding(
                short, finding: "The password of the portable user \(principal) has expired.",
                fix: "Set a new password (Set-ADAccountPassword), put it in \(answer.store), and consider PasswordNeverExpires for this service user.")
        case .clockSkew:
            return clockSkew(short, local: Date(), kdc: kdcTime(), consequence: "the KDC refused the login of \(principal)")
        case .kdcUnreachable:
            return DoctorFinding(
                short, finding: "No KDC of \(realm) answered the login of \(principal): \(error.libraryMessage).",
                fix: "Check the kdc lines of the Kerberos configuration (KRB5_CONFIG) and that TCP port 88 of the DCs is open from this host.")
        case .kdcBusy:
            return DoctorFinding(
                short, finding: "The KDC of \(realm) answered that it cannot serve the login of \(principal) now: \(error.libraryMessage).",
                fix: "Try again in a moment; if it persists, look at the DC's load and its KDC log.")
        case .realmUnknown:
            return DoctorFinding(
                short, finding: "libkrb5 knows no KDC for \(realm): \(error.libraryMessage).",
                fix: "Give the DCs (--dc, [domain \"\(realm)\"] controllers) or a krb5.conf whose [realms] names \(realm) (--krb5-config).")
        case .encryptionTypeNotSupported:
            return DoctorFinding(
                short, finding: "The KDC and this host share no encryption type for \(principal).",
                fix: "Allow AES for the user in AD (msDS-SupportedEncryptionTypes) and check permitted_enctypes in krb5.conf.")
        case .badInput, .other:
            return DoctorFinding(
                short, finding: "The portable user \(principal) could not log in: \(error.libraryMessage).",
                fix: "Check the user name and password in \(answer.store); \(traceHint).")
        }
    }

    /// The clocks differ too much: say both (the KDC's when known), and what to do.
    static func clockSkew(_ short: String, local: Date, kdc: Date?, consequence: String) -> DoctorFinding {
        let fix = "Synchronise this host's clock (NTP: chrony or systemd-timesyncd, against the DCs); Kerberos tolerates 5 minutes."
        guard let kdc else {
            return DoctorFinding(
                short,
                finding: "Clock skew: this host's clock (\(DoctorFormat.time(local))) differs from the KDC's by more than Kerberos allows; \(consequence).",
                fix: fix)
        }
        let offset = Int64(local.timeIntervalSince(kdc).rounded())
        let difference = "\(DoctorFormat.span(seconds: offset)) \(offset > 0 ? "ahead of" : "behind")"
        return DoctorFinding(
            short,
            finding:
                "Clock skew: this host's clock is \(difference) the KDC's (here \(DoctorFormat.time(local)), KDC \(DoctorFormat.time(kdc))); \(consequence).",
            fix: fix)
    }

    static func managedAccountLogin(_ error: KerberosError, account: ManagedAccount, record: ManagedServiceAccountRecord) -> DoctorFinding {
        let principal = account.principal
        let short = "\(principal): \(error.libraryMessage)"
        let types = account.encryptionTypes.map(\.name).joined(separator: ", ")
        let attribute =
            record.supportedEncryptionTypes.map { "msDS-SupportedEncryptionTypes \(DoctorFormat.hex($0))" }
            ?? "msDS-SupportedEncryptionTypes unset"
        switch error.kind {
        case .clientRevoked where record.isDisabled:
            let control = record.userAccountControl.map { "userAccountControl \(DoctorFormat.hex($0)) has ACCOUNTDISABLE" } ?? "ACCOUNTDISABLE"
            return DoctorFinding(
                "\(principal): account disabled", finding: "The gMSA \(account.samAccountName) is disabled (\(control)), so the KDC refuses it tickets.",
                fix: "Enable the account: Enable-ADAccount -Identity '\(account.samAccountName)' (Samba: samba-tool user enable '\(account.samAccountName)').")
        case .clientRevoked:
            return DoctorFinding(
                short, finding: "The KDC refuses tickets to the gMSA \(account.samAccountName): it is locked out or expired.",
                fix: "Unlock it (Unlock-ADAccount) and clear its account expiry (Clear-ADAccountExpiration).")
        case .wrongPassword:
            return DoctorFinding(
                "\(principal): key mismatch",
                finding:
                    "Key mismatch: the KDC rejected the keys derived for \(principal) at kvno \(account.keyVersionNumber) (\(types), salt \(account.salt)).",
                fix:
                    "If the password rotated a moment ago, run the doctor again in a few minutes; otherwise compare the key fingerprints of ccgctl blob decode with the DC's keys and report it."
            )
        case .encryptionTypeNotSupported:
            return DoctorFinding(
                "\(principal): enctype mismatch",
                finding: "Enctype mismatch: the KDC accepts none of the key types derived for \(principal) (\(types); \(attribute)).",
                fix:
                    "Allow AES on the gMSA: Set-ADServiceAccount -Identity \(account.name) -KerberosEncryptionType AES128,AES256 (msDS-SupportedEncryptionTypes 24), and check permitted_enctypes in krb5.conf."
            )
        case .clientUnknown:
            return DoctorFinding(
                short, finding: "The KDC does not know \(principal), although the directory has the account.",
                fix: "The account may not have replicated yet: wait, or name the DC that holds it first (--dc, [domain] controllers).")
        case .clockSkew:
            return clockSkew(short, local: Date(), kdc: nil, consequence: "the KDC refused the login of \(principal)")
        default:
            return DoctorFinding(
                short, finding: "The KDC did not give \(principal) a ticket with the derived keys: \(error.libraryMessage).",
                fix: "Check the account in AD (enabled, \(attribute)); \(traceHint).")
        }
    }
}
