import DurableFiles
import FoundationEssentials
import Kerberos

/// Writes what a container uses: the keytab of its accounts and a TGT of one of them.
/// Both replace their file atomically, so a reader never sees a partial file.
package enum CredentialFiles {
    /// One keytab holding every principal and key of `accounts`.
    /// `durability` `.atomicOnly` for a scratch file read back at once and removed.
    package static func writeKeytab(
        for accounts: [ManagedAccount], to path: String, ownership: FileOwnership, durability: Durability = .synced
    ) throws(AccountFetchError) {
        do {
            let context = try KerberosContext()
            try Keytab.write(accounts.flatMap { $0.keytabEntries() }, to: path, ownership: ownership, durability: durability, context: context)
        } catch {
            throw .output(path: path, reason: "\(error)")
        }
    }

    /// Logs `account` in with its current keys (the proof that the KDC accepts them) and
    /// stores the TGT in a FILE credentials cache at `path`.
    @discardableResult
    package static func writeTicketCache(
        for account: ManagedAccount, to path: String, ownership: FileOwnership, lifetime: TimeInterval? = nil,
        durability: Durability = .synced
    ) throws(AccountFetchError) -> TicketTimes {
        var times: TicketTimes?
        do {
            let context = try KerberosContext()
            let client = try Principal(parsing: account.principal, context: context)
            let entries = account.currentKeys.map {
                KeytabEntry(principal: account.principal, keyVersionNumber: account.keyVersionNumber, key: $0)
            }
            let keys = try Keytab(inMemory: entries, context: context)
            try AtomicFile.replace(path, ownership: ownership, durability: durability) { temporaryPath in
                let cache = try CredentialsCache.file(at: temporaryPath, context: context)
                let life = lifetime.map { Int32(clamping: Int($0)) }
                do {
                    times = try context.obtainTicket(for: client, keytab: keys, into: cache, lifetime: life, optimistic: true)
                } catch let refusal as KerberosError where refusal.kind == .wrongPassword {
                    // A KDC that wants another enctype than the first key's: the usual exchange, led by its ETYPE-INFO2.
                    times = try context.obtainTicket(for: client, keytab: keys, into: cache, lifetime: life)
                }
            }
        } catch let error as KerberosError {
            throw .managedAccountLogin(principal: account.principal, error)
        } catch {
            throw .output(path: path, reason: "\(error)")
        }
        return times!
    }
}
