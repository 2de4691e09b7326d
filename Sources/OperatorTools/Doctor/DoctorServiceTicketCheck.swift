import Kerberos
import KerberosKeys
import DirectoryPipeline

/// Doctor's last link: a service ticket for one of each gMSA's SPNs, asked for with the portable
/// user's TGT, must decrypt with the derived keys, as a service in a container decrypts its
/// clients' tickets. The gMSA's own login does not prove that: the KDC may encrypt service
/// tickets with another enctype (or another salt's key) than the one the login used.
struct DoctorServiceTicketCheck {
    let context: KerberosContext
    /// The portable user's TGT.
    let cache: CredentialsCache

    func check(_ accounts: [ManagedAccount]) throws(DoctorFinding) -> DoctorPass<Void> {
        var parts: [String] = []
        for account in accounts {
            guard let spn = account.servicePrincipalNames.first else {
                parts.append("\(account.samAccountName): no SPN, not checked")
                continue
            }
            let entries = account.currentKeys.map {
                KeytabEntry(principal: "\(spn)@\(account.realm)", keyVersionNumber: account.keyVersionNumber, key: $0)
            }
            parts.append(try check(spn: spn, of: account.samAccountName, realm: account.realm, keys: entries, salt: account.salt))
        }
        return DoctorPass(parts.joined(separator: "; "))
    }

    /// Asks for a ticket to `spn` and decrypts it with `keys` (entries under `spn@realm`).
    func check(spn: String, of account: String, realm: String, keys: [KeytabEntry], salt: Salt) throws(DoctorFinding) -> String {
        let ticket: ServiceTicket
        do {
            ticket = try context.obtainServiceTicket(for: try Principal(parsing: "\(spn)@\(realm)", context: context), from: cache)
        } catch {
            throw DoctorFinding(
                "\(spn): no service ticket (\(error.libraryMessage))",
                finding: "The KDC gave no service ticket for \(spn), an SPN of \(account): \(error.libraryMessage).",
                fix: "Check that \(spn) belongs to \(account) and to no other account (setspn -Q \(spn)).")
        }
        let type = EncryptionType(rawValue: ticket.encryptionType).map(\.name) ?? "enctype \(ticket.encryptionType)"
        let derived = keys.map(\.key.encryptionType.name).joined(separator: ", ")
        let kvno = keys.first?.keyVersionNumber ?? 0
        guard keys.contains(where: { $0.key.encryptionType.rawValue == ticket.encryptionType }) else {
            throw DoctorFinding(
                "\(spn): ticket in \(type), keys in \(derived)",
                finding:
                    "The KDC encrypts service tickets for \(spn) with \(type), a key ccgd does not derive for \(account) (it derives \(derived)); services could not decrypt them.",
                fix: "Set msDS-SupportedEncryptionTypes of \(account) to the types the KDC uses (24 for AES), then run the doctor again.")
        }
        do {
            let keytab = try Keytab(inMemory: keys, context: context)
            try context.decrypt(ticket, with: keytab)
        } catch {
            throw DoctorFinding(
                "\(spn): ticket (\(type), kvno \(ticket.keyVersionNumber)) does not decrypt with the derived key (kvno \(kvno))",
                finding:
                    "The service ticket for \(spn) (\(type), kvno \(ticket.keyVersionNumber)) does not decrypt with the key ccgd derived for \(account) (kvno \(kvno), salt \(salt)): \(error.libraryMessage). A service using ccgd's keytab would reject every client.",
                fix: ticket.keyVersionNumber != kvno
                    ? "The KDC and the directory disagree on the kvno of \(account): wait for replication, or report both numbers."
                    : "The KDC's key differs from the derived one: compare the salt the KDC uses for \(account) with \(salt), and report both.")
        }
        return "\(spn): ticket (\(type), kvno \(ticket.keyVersionNumber)) decrypts with the derived key"
    }
}
