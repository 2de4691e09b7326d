import DomainModel
import FoundationEssentials
import Glibc
import Kerberos
import KerberosKeys
import SystemBasics

/// A group managed service account as fetched from the directory, with its derived keys.
package struct ManagedAccount: Sendable {
    /// `sAMAccountName`, with its trailing `$`.
    package let samAccountName: String
    package let realm: String
    package let dnsDomain: String
    package let keyVersionNumber: UInt32
    package let encryptionTypes: [EncryptionType]
    package let servicePrincipalNames: [String]
    package let dnsHostName: String?
    package let objectSid: String?
    package let objectGUID: String?
    package let salt: Salt
    /// Keys of the current password, strongest first.
    package let currentKeys: [KerberosKey]
    /// Keys of the previous password (kvno − 1); empty when the blob has none.
    package let previousKeys: [KerberosKey]
    /// The blob's intervals: read again before `queryPasswordInterval`; no change during `unchangedPasswordInterval`.
    package let queryPasswordInterval: Duration
    package let unchangedPasswordInterval: Duration
    package let fetchedAt: Date
    /// The DC the password was read from (its host name), when known: named in the log when DCs disagree.
    package var readFrom: String? = nil
    /// Keys of an older kvno than the previous one that a lagging DC's KDC still uses (see
    /// `KeyVersionMerge`): kept next to the newest keys until the DCs agree. Empty normally.
    package var retainedKeys: [RetainedKeys] = []

    /// One kvno's keys, as a DC that has not yet replicated a rotation still uses them.
    package struct RetainedKeys: Sendable, Equatable {
        package let keyVersionNumber: UInt32
        package let keys: [KerberosKey]
        /// The DC that answered with them (its host name), when known.
        package let controller: String?

        package init(keyVersionNumber: UInt32, keys: [KerberosKey], controller: String?) {
            self.keyVersionNumber = keyVersionNumber
            self.keys = keys
            self.controller = controller
        }
    }

    /// `NAME$@REALM`.
    package var principal: String { "\(samAccountName)@\(realm)" }

    /// The name without `$`, which is also the host name a container carries.
    package var name: String { AccountName(samAccountName).bare }

    /// `NAME$@REALM` and every SPN in the realm, so that acceptors find their key under any name.
    package var principals: [String] { [principal] + servicePrincipalNames.map { "\($0)@\(realm)" } }

    /// Until when the password surely stays the same.
    package var passwordStableUntil: Date { fetchedAt.addingTimeInterval(unchangedPasswordInterval.secondsValue) }

    /// Every key under every principal: current keys at the kvno, previous keys at kvno − 1 so
    /// that service tickets issued before a rotation still decrypt, and the retained keys of a
    /// lagging DC at their own kvno (they take the place of the previous keys at kvno − 1).
    package func keytabEntries() -> [KeytabEntry] {
        var entries: [KeytabEntry] = []
        let retained = retainedKeys.filter { $0.keyVersionNumber != keyVersionNumber && $0.keyVersionNumber > 0 }
        for principal in principals {
            entries += currentKeys.map { KeytabEntry(principal: principal, keyVersionNumber: keyVersionNumber, key: $0) }
            if keyVersionNumber > 1 && !retained.contains(where: { $0.keyVersionNumber == keyVersionNumber - 1 }) {
                entries += previousKeys.map { KeytabEntry(principal: principal, keyVersionNumber: keyVersionNumber - 1, key: $0) }
            }
            for older in retained {
                entries += older.keys.map { KeytabEntry(principal: principal, keyVersionNumber: older.keyVersionNumber, key: $0) }
            }
        }
        return entries
    }
}

extension ManagedAccount {
    /// The same account as if fetched at `time` (for tests with an injected clock).
    func fetched(at time: Date) -> ManagedAccount {
        var account = ManagedAccount(
            samAccountName: samAccountName, realm: realm, dnsDomain: dnsDomain, keyVersionNumber: keyVersionNumber,
            encryptionTypes: encryptionTypes, servicePrincipalNames: servicePrincipalNames, dnsHostName: dnsHostName,
            objectSid: objectSid, objectGUID: objectGUID, salt: salt, currentKeys: currentKeys, previousKeys: previousKeys,
            queryPasswordInterval: queryPasswordInterval, unchangedPasswordInterval: unchangedPasswordInterval, fetchedAt: time)
        account.readFrom = readFrom
        account.retainedKeys = retainedKeys
        return account
    }
}
