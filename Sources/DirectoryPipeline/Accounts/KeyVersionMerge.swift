import FoundationEssentials
import SystemBasics

/// What to keep when DCs disagree about a gMSA's password. A rotation happens on one DC (the
/// first that reads or uses the password past its rollover) and reaches the others by
/// replication; meanwhile each DC's LDAP and KDC use the password it holds (measured on Samba
/// 4.22: see RotationAcrossControllersIntegrationTests). A read from a lagging DC must not take
/// back the newer keys the other KDCs already issue tickets in, and the keytab must also hold the
/// lagging DC's key at its kvno. So: an older read keeps the newest keys and adds the lagging
/// DC's current keys at their kvno (unless they are the previous keys already: a DC one rotation
/// behind); a read at the kvno held is taken as it is, with the keys other lagging DCs were
/// seen using, until those DCs answer with it too; a newer kvno is taken as it is, except that
/// kvnos skipped by duplicate writes of one new password keep that password's keys.
package enum KeyVersionMerge {
    package struct Outcome: Sendable {
        /// The account whose keys the leases get.
        package let account: ManagedAccount
        /// Set when the read was older than the keys held: the kvno held and the kvno read.
        package let lagging: (held: UInt32, read: UInt32)?
    }

    /// `read` next to `held`, the account the leases have now (nil before the first fetch).
    package static func merge(held: ManagedAccount?, read: ManagedAccount) -> Outcome {
        guard let held, sameObject(held, read) else { return Outcome(account: read, lagging: nil) }
        guard read.keyVersionNumber <= held.keyVersionNumber else {
            return Outcome(account: skippingDuplicateWrites(held: held, read: read), lagging: nil)
        }
        if read.keyVersionNumber == held.keyVersionNumber {
            var account = read
            account.retainedKeys = held.retainedKeys.filter { $0.controller == nil || $0.controller != read.readFrom }
            return Outcome(account: account, lagging: nil)
        }
        var retained = held.retainedKeys.filter { $0.keyVersionNumber != read.keyVersionNumber && $0.controller != read.readFrom }
        // Lagging by one rotation, the newest read's previous keys are already the lagging DC's.
        let coveredByPrevious = read.keyVersionNumber == held.keyVersionNumber - 1 && held.previousKeys == read.currentKeys
        if !coveredByPrevious {
            retained.append(ManagedAccount.RetainedKeys(keyVersionNumber: read.keyVersionNumber, keys: read.currentKeys, controller: read.readFrom))
        }
        // Read again when either DC's password may change first: the newest keys' next rollover
        // is the earlier one, and the lagging DC's says when it expects its own.
        let stableUntil = min(read.passwordStableUntil, held.passwordStableUntil)
        let queryUntil = min(
            read.fetchedAt.addingTimeInterval(read.queryPasswordInterval.secondsValue),
            held.fetchedAt.addingTimeInterval(held.queryPasswordInterval.secondsValue))
        var account = ManagedAccount(
            samAccountName: read.samAccountName, realm: held.realm, dnsDomain: held.dnsDomain,
            keyVersionNumber: held.keyVersionNumber, encryptionTypes: held.encryptionTypes,
            servicePrincipalNames: read.servicePrincipalNames, dnsHostName: read.dnsHostName, objectSid: read.objectSid,
            objectGUID: read.objectGUID, salt: held.salt, currentKeys: held.currentKeys, previousKeys: held.previousKeys,
            queryPasswordInterval: .seconds(max(0, queryUntil.timeIntervalSince(read.fetchedAt))),
            unchangedPasswordInterval: .seconds(max(0, stableUntil.timeIntervalSince(read.fetchedAt))),
            fetchedAt: read.fetchedAt)
        account.readFrom = read.readFrom
        account.retainedKeys = retained.sorted { $0.keyVersionNumber > $1.keyVersionNumber }
        return Outcome(account: account, lagging: (held.keyVersionNumber, read.keyVersionNumber))
    }

    /// The kvno counts writes of the password, not passwords: two DCs that both store a rotation's
    /// new password before replicating each other's write (each KDC stores it at its first use
    /// past the rollover) can move it by two for one new password (seen by scripts/soak on two
    /// Samba DCs: kvno 5 → 7). When the read's previous password is the one held, exactly one
    /// password came in between, so every kvno after the held one is the new password's: a KDC
    /// that issued tickets at the skipped kvno used it, and the rule "previous keys at kvno − 1"
    /// would put the old password there instead. The skipped kvnos keep the new keys (with no
    /// DC named: kept until a newer kvno comes) and the old password stays at its own kvno.
    private static func skippingDuplicateWrites(held: ManagedAccount, read: ManagedAccount) -> ManagedAccount {
        guard read.keyVersionNumber > held.keyVersionNumber + 1, !read.previousKeys.isEmpty, read.previousKeys == held.currentKeys else {
            return read
        }
        var account = read
        account.retainedKeys =
            (held.keyVersionNumber + 1..<read.keyVersionNumber).reversed().map {
                ManagedAccount.RetainedKeys(keyVersionNumber: $0, keys: read.currentKeys, controller: nil)
            } + [ManagedAccount.RetainedKeys(keyVersionNumber: held.keyVersionNumber, keys: held.currentKeys, controller: nil)]
        return account
    }

    /// A gMSA deleted and created again under its name starts at kvno 1: that is a new account,
    /// not a lagging DC, and its read is taken as it is.
    private static func sameObject(_ held: ManagedAccount, _ read: ManagedAccount) -> Bool {
        guard let heldGUID = held.objectGUID, let readGUID = read.objectGUID else { return true }
        return heldGUID.lowercased() == readGUID.lowercased()
    }
}
