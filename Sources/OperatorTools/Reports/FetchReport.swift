import Directory
import CredSpec
import Foundation
import Kerberos
import KerberosKeys
import DirectoryPipeline

/// What `ccgctl fetch` tells a person (or a script, as JSON): everything but secrets.
package struct FetchReport: Sendable {
    package let realm: String
    package let dnsDomain: String
    package let controller: String
    package let protection: String
    package let portableUser: String
    package let accounts: [Account]
    package let keytabPath: String
    package let keytabEntries: Int
    package let ccachePath: String?
    package let ticket: TicketTimes?
    package let nextRefresh: Date

    package struct KeyFingerprint: Sendable, Codable {
        package let enctype: String
        package let kvno: UInt32
        package let sha256: String
    }

    package struct Account: Sendable, Codable {
        package let account: String
        package let principal: String
        package let kvno: UInt32
        package let enctypes: [String]
        package let servicePrincipalNames: [String]
        package let principals: [String]
        package let salt: String
        /// Current keys then previous ones, strongest first: type, kvno and a SHA-256 prefix.
        package let keys: [KeyFingerprint]
        package let passwordStableUntil: Date
    }

    package init(
        spec realmSource: some RealmNaming, result: ManagedAccountFetcher.Result, settings: DomainSettings,
        keytabPath: String, ccachePath: String?, ticket: TicketTimes?, policy: RefreshPolicy = RefreshPolicy()
    ) {
        realm = realmSource.realm
        dnsDomain = realmSource.dnsDomain
        controller = result.controller.description
        switch settings.protection {
        case .sealedGSSAPI: protection = "sealed GSSAPI bind"
        case .ldaps: protection = "LDAPS simple bind"
        }
        portableUser = result.portableUser
        accounts = result.accounts.map { account in
            let previousKVNO = account.keyVersionNumber > 1 ? account.keyVersionNumber - 1 : 0
            let fingerprints =
                account.currentKeys.map { KeyFingerprint(enctype: $0.encryptionType.name, kvno: account.keyVersionNumber, sha256: $0.fingerprint) }
                + account.previousKeys.map { KeyFingerprint(enctype: $0.encryptionType.name, kvno: previousKVNO, sha256: $0.fingerprint) }
            return Account(
                account: account.samAccountName, principal: account.principal, kvno: account.keyVersionNumber,
                enctypes: account.encryptionTypes.map(\.name), servicePrincipalNames: account.servicePrincipalNames,
                principals: account.principals, salt: account.salt.value,
                keys: fingerprints,
                passwordStableUntil: account.passwordStableUntil)
        }
        self.keytabPath = keytabPath
        keytabEntries = result.accounts.reduce(0) { $0 + $1.keytabEntries().count }
        self.ccachePath = ccachePath
        self.ticket = ticket
        let passwordRefresh = result.accounts.map { policy.passwordRefresh(for: $0) }.min() ?? Date()
        nextRefresh = ticket.map { min(policy.ticketRefresh($0, now: $0.startTime), passwordRefresh) } ?? passwordRefresh
    }

    package func text() -> String {
        let time = ISO8601DateFormatter()
        var lines = [
            "domain        \(realm) (\(dnsDomain))",
            "controller    \(controller), \(protection) as \(portableUser)",
        ]
        for account in accounts {
            lines.append("account       \(account.account)  kvno \(account.kvno)  \(account.enctypes.joined(separator: ", "))")
            lines.append("  principals  \(account.principals.joined(separator: ", "))")
            lines.append("  salt        \(account.salt)")
            for key in account.keys {
                let label = key.kvno == account.kvno ? "key     " : "previous"
                lines.append("  \(label)    \(key.enctype) kvno \(key.kvno) sha256:\(key.sha256)")
            }
            if !account.keys.contains(where: { $0.kvno != account.kvno }) {
                lines.append("  previous    none (the password has not rotated yet)")
            }
            lines.append("  password    unchanged until \(time.string(from: account.passwordStableUntil))")
        }
        lines.append("keytab        \(keytabPath) (\(keytabEntries) entries, mode 0600)")
        if let ccachePath, let ticket, let first = accounts.first {
            lines.append("ticket        \(ccachePath): TGT for \(first.principal), valid until \(time.string(from: ticket.endTime))")
        }
        lines.append("next refresh  \(time.string(from: nextRefresh))")
        return lines.joined(separator: "\n")
    }

    package func json() -> String {
        struct Document: Codable {
            let realm, dnsDomain, controller, protection, portableUser, keytab: String
            let ccache: String?
            let ticketExpiresAt: Date?
            let nextRefresh: Date
            let accounts: [Account]
        }
        // Foundation's encoder, not the JSON module's writer: `--json`'s layout (two-space indent,
        // " : ") is what scripts have read so far, and this is ccgctl, which links Foundation anyway.
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let document = Document(
            realm: realm, dnsDomain: dnsDomain, controller: controller, protection: protection,
            portableUser: portableUser, keytab: keytabPath, ccache: ccachePath,
            ticketExpiresAt: ticket?.endTime, nextRefresh: nextRefresh, accounts: accounts)
        return String(decoding: (try? encoder.encode(document)) ?? Data(), as: UTF8.self)
    }
}

/// Anything that names a realm and its DNS domain (a CredSpec does).
package protocol RealmNaming {
    var realm: String { get }
    var dnsDomain: String { get }
}

extension CredentialSpec: RealmNaming {}
