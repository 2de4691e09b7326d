import Dispatch
import DurableFiles
import FoundationEssentials
import Glibc
import SystemPackage
import Kerberos
import KerberosKeys
import Synchronization

/// Everything a lease needs of one account, made once per password or ticket change and
/// copied into every lease of that account: its keytab and a TGT, as file bytes.
package struct AccountCredentials: Sendable {
    package let account: ManagedAccount
    /// A keytab file: every principal of the account, current and previous keys.
    package let keytab: SecretBytes
    /// A FILE credentials cache holding the account's TGT.
    package let ticketCache: SecretBytes
    package let ticket: TicketTimes

    package init(account: ManagedAccount, keytab: SecretBytes, ticketCache: SecretBytes, ticket: TicketTimes) {
        self.account = account
        self.keytab = keytab
        self.ticketCache = ticketCache
        self.ticket = ticket
    }

    /// Builds the keytab with libkrb5 and logs the account in with its keys. Blocking.
    /// `scratch` is a private directory (0700) for the moment libkrb5 needs a file.
    package static func make(_ account: ManagedAccount, scratch: String, ticketLifetime: TimeInterval? = nil) throws(AccountFetchError) -> AccountCredentials {
        // The keytab file and the AS exchange need nothing of each other (each has a krb5 context of
        // its own): the keytab is written while the KDC answers, off a cold lease's path.
        let keytab = Mutex<Result<SecretBytes, AccountFetchError>?>(nil)
        let ticket = Mutex<Result<(cache: SecretBytes, times: TicketTimes), AccountFetchError>?>(nil)
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            if index == 0 {
                let bytes = Result { () throws(AccountFetchError) in try keytabBytes(account, scratch: scratch) }
                keytab.withLock { $0 = bytes }
            } else {
                let obtained = Result { () throws(AccountFetchError) in try ticketCache(account: account, scratch: scratch, lifetime: ticketLifetime) }
                ticket.withLock { $0 = obtained }
            }
        }
        // The KDC's word comes first: a refused key is what the caller's salt fallback looks for.
        let (cache, times) = try ticket.withLock { $0 }!.get()
        return AccountCredentials(account: account, keytab: try keytab.withLock { $0 }!.get(), ticketCache: cache, ticket: times)
    }

    /// The account's keytab file bytes: made in memory when the process can, else in `scratch`.
    private static func keytabBytes(_ account: ManagedAccount, scratch: String) throws(AccountFetchError) -> SecretBytes {
        do {
            if let bytes = try Keytab.fileBytes(of: account.keytabEntries(), context: try KerberosContext()) { return bytes }
        } catch {
            throw .output(path: "an in-memory keytab", reason: "\(error)")
        }
        let keytabPath = scratch + "/\(UUID().uuidString).keytab"
        defer { unlink(keytabPath) }
        // A scratch file, read back at once and removed: no fsync.
        try CredentialFiles.writeKeytab(for: [account], to: keytabPath, ownership: .privateToCaller, durability: .atomicOnly)
        return try readSecret(keytabPath)
    }

    /// These credentials with `account`'s keys in the keytab (the ticket stays): what the leases get
    /// when a lagging DC's keys join the newest ones (`KeyVersionMerge`). The keytab is made in
    /// memory; without memory files (no memfd, no /proc) this throws and the caller keeps what it has.
    package func holding(_ account: ManagedAccount) throws(AccountFetchError) -> AccountCredentials {
        let bytes: SecretBytes?
        do { bytes = try Keytab.fileBytes(of: account.keytabEntries(), context: try KerberosContext()) } catch {
            throw .output(path: "an in-memory keytab", reason: "\(error)")
        }
        guard let bytes else {
            throw .output(path: "an in-memory keytab", reason: "this process cannot create memory files (memfd_create or /proc missing)")
        }
        return AccountCredentials(account: account, keytab: bytes, ticketCache: ticketCache, ticket: ticket)
    }

    /// The same keys with a new TGT. Blocking.
    package func renewingTicket(scratch: String, ticketLifetime: TimeInterval? = nil) throws(AccountFetchError) -> AccountCredentials {
        let (cache, times) = try Self.ticketCache(account: account, scratch: scratch, lifetime: ticketLifetime)
        return AccountCredentials(account: account, keytab: keytab, ticketCache: cache, ticket: times)
    }

    /// A TGT of `account` from its current keys, as the bytes of a FILE credentials cache.
    private static func ticketCache(
        account: ManagedAccount, scratch: String, lifetime: TimeInterval?
    ) throws(AccountFetchError) -> (cache: SecretBytes, times: TicketTimes) {
        let cachePath = scratch + "/\(UUID().uuidString).ccache"
        defer { unlink(cachePath) }
        let times = try CredentialFiles.writeTicketCache(
            for: account, to: cachePath, ownership: .privateToCaller, lifetime: lifetime,
            durability: .atomicOnly)
        return (try readSecret(cachePath), times)
    }

    private static func readSecret(_ path: String) throws(AccountFetchError) -> SecretBytes {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .output(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .output(path: path, reason: String(cString: strerror(errno))) }
        let size = Int(status.st_size)
        var failure: FileSystemError?
        let bytes = SecretBytes(count: size) { buffer in
            do throws(FileSystemError) { try FileDescriptor(rawValue: fd).readExactly(into: buffer, path: path) } catch { failure = error }
        }
        if let failure { throw .output(path: path, reason: String(cString: strerror(failure.errno))) }
        return bytes
    }
}
