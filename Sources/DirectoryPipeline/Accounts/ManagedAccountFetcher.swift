import CCGPlugin
import CredSpec
import Directory
import DomainModel
import FoundationEssentials
import Glibc
import Kerberos
import KerberosKeys
import Synchronization
import Observability
import SystemSupport

/// The core pipeline: portable user's credentials → Kerberos login → sealed LDAP read of the
/// managed password → keys. Synchronous and blocking: run it off the event loop and off the
/// Swift concurrency pool. Uses the process's Kerberos configuration (KRB5_CONFIG), which
/// GSS-API reads too.
package struct ManagedAccountFetcher: Sendable {
    package var settings: DomainSettings
    /// The order to ask the DCs in at each connection (ccgd's: a failed one last).
    package var ordering: @Sendable ([DomainController]) -> [DomainController] = { $0 }
    /// Runs before a new session logs in (ccgd's: finds the first DC that answers, so that a
    /// hung one is known, and listed last in the krb5.conf, before libkrb5 waits on it).
    package var beforeLogin: @Sendable () -> Void = {}

    package init(settings: DomainSettings) {
        self.settings = settings
    }

    /// What one fetch produced.
    package struct Result: Sendable {
        package let accounts: [ManagedAccount]
        /// The DC that answered.
        package let controller: DomainController
        /// DCs tried before it that did not answer, and why.
        package let unreachable: [(controller: DomainController, cause: String)]
        package let portableUser: String

        /// DCs tried before it that did not answer.
        package var unreachableControllers: [DomainController] { unreachable.map(\.controller) }

        package init(
            accounts: [ManagedAccount], controller: DomainController,
            unreachable: [(controller: DomainController, cause: String)], portableUser: String
        ) {
            self.accounts = accounts
            self.controller = controller
            self.unreachable = unreachable
            self.portableUser = portableUser
        }
    }

    /// Fetches every account of `spec`, logging in as `credential`'s user.
    package func fetch(_ spec: CredentialSpec, credential: DomainCredential) throws(AccountFetchError) -> Result {
        try fetch(
            accounts: spec.accounts, realm: spec.realm, dnsDomain: spec.dnsDomain,
            netBiosName: spec.domainJoinConfig.netBiosName, credential: credential)
    }

    /// Fetches `accounts` (names with or without `$`) of the domain `dnsDomain`/`realm`.
    package func fetch(
        accounts: [String], realm: String, dnsDomain: String, netBiosName: String?, credential: DomainCredential
    ) throws(AccountFetchError) -> Result {
        try fetch(accounts: accounts, realm: realm, dnsDomain: dnsDomain, netBiosName: netBiosName, login: .portableUser(credential))
    }

    /// Fetches `accounts` of the domain `dnsDomain`/`realm`, reading as the portable user or as the host itself.
    /// The keys are derived with AD's salt rule and not tried on the KDC.
    package func fetch(
        accounts: [String], realm: String, dnsDomain: String, netBiosName: String?, login: DomainLogin
    ) throws(AccountFetchError) -> Result {
        try fetch(
            accounts: accounts, realm: realm, dnsDomain: dnsDomain, netBiosName: netBiosName, login: login,
            confirmingWith: { _ throws(AccountFetchError) in }
        ).result
    }

    /// Fetches `accounts` and has `confirm` log each in with its keys (the KDC's word that they are
    /// right): one search for all accounts (through a warm session of `sessions` when given), then
    /// each account's keys and `confirm` at once. Keys the KDC refuses are derived once more with
    /// the salt the KDC tells (see `SaltFallback`). Results are in the order of `accounts`.
    package func fetch<Confirmed: Sendable>(
        accounts: [String], realm: String, dnsDomain: String, netBiosName: String?, login: DomainLogin,
        sessions: DirectorySessions? = nil,
        confirmingWith confirm: @escaping @Sendable (ManagedAccount) throws(AccountFetchError) -> Confirmed
    ) throws(AccountFetchError) -> (result: Result, confirmed: [Confirmed]) {
        let domainDN = DirectoryConnection.distinguishedName(ofDNSDomain: dnsDomain)
        let (settings, ordering, beforeLogin) = (self.settings, self.ordering, self.beforeLogin)
        func open() throws(AccountFetchError) -> DirectorySession {
            beforeLogin()
            return try DirectorySession(
                settings: settings, realm: realm, dnsDomain: dnsDomain, netBiosName: netBiosName, login: login,
                ordering: ordering)
        }
        func read(_ session: DirectorySession) throws(AccountFetchError) -> Reading {
            do throws(DirectoryError) {
                let records = try session.connection.readManagedServiceAccounts(accounts, domainDN: domainDN)
                return Reading(
                    records: records, controller: session.controller, unreachable: session.unreachable,
                    reader: session.user)
            } catch {
                // The host's own account: the fix is its group membership, and a new ticket after it.
                if case let .accessDenied(denied, _) = error, case let .machine(machine, _) = login {
                    throw .machineAccountNotAllowed(account: denied, machine: machine)
                }
                throw .directory(error)
            }
        }
        let reading: Reading
        if let sessions {
            reading = try sessions.read(login, realm: realm, dnsDomain: dnsDomain, open: open, read)
        } else {
            reading = try read(try open())
        }
        let matched = try Self.match(reading.records, to: accounts, searchBase: domainDN)
        for record in matched {
            // One round trip, or two while a rollover is under way (StoredManagedPassword).
            Metrics.shared.increment("ccgd_key_version_reads_total", ["search": record.keyVersionReadAfterPassword ? "after_password" : "same_answer"])
        }
        let controller = reading.controller.hostName
        let outcomes = try Self.concurrently(matched) { record throws(AccountFetchError) in
            try Self.deriveConfirmed(record, realm: realm, dnsDomain: dnsDomain, controller: controller, confirm: confirm)
        }
        let result = Result(
            accounts: outcomes.map { $0.account }, controller: reading.controller,
            unreachable: reading.unreachable, portableUser: reading.reader)
        return (result, outcomes.map { $0.confirmed })
    }

    /// What one directory read brought back.
    struct Reading: Sendable {
        let records: [ManagedServiceAccountRecord]
        let controller: DomainController
        let unreachable: [(controller: DomainController, cause: String)]
        let reader: String
    }

    /// Pairs each requested name with the record the DC returned for it, in the requested order.
    /// A record nobody asked for is refused; a name without a record is not found.
    static func match(
        _ records: [ManagedServiceAccountRecord], to requested: [String], searchBase: String
    ) throws(AccountFetchError) -> [ManagedServiceAccountRecord] {
        for record in records where !requested.contains(where: { AccountName($0).normalized == AccountName(record.samAccountName).normalized }) {
            throw .accountNameMismatch(requested: requested.joined(separator: ", "), returned: record.samAccountName)
        }
        return try requested.map { name throws(AccountFetchError) in
            guard let record = records.first(where: { AccountName($0.samAccountName).normalized == AccountName(name).normalized }) else {
                throw .directory(.accountNotFound(account: AccountName(name).samAccountName, searchBase: searchBase))
            }
            try checkName(record.samAccountName, answers: name)
            return record
        }
    }

    /// Keys with AD's salt, confirmed by `confirm`; when the KDC refuses them, the KDC's own salt
    /// (an AS request without pre-authentication), new keys and one more `confirm`.
    /// `ruleSalt` nil: AD's rule (tests give a wrong one to walk the fallback).
    static func deriveConfirmed<Confirmed>(
        _ record: ManagedServiceAccountRecord, realm: String, dnsDomain: String, ruleSalt: Salt? = nil,
        controller: String? = nil, confirm: (ManagedAccount) throws(AccountFetchError) -> Confirmed
    ) throws(AccountFetchError) -> (account: ManagedAccount, confirmed: Confirmed) {
        var account = try derive(record, realm: realm, dnsDomain: dnsDomain, salt: ruleSalt)
        account.readFrom = controller
        do {
            return (account, try confirm(account))
        } catch {
            guard SaltFallback.asksForTheKDCsSalt(after: error),
                let salt = SaltFallback.retrySalt(advertised: SaltFallback.advertisement(for: account.principal), used: account.salt)
            else { throw error }
            var again = try derive(record, realm: realm, dnsDomain: dnsDomain, salt: salt)
            again.readFrom = controller
            return (again, try confirm(again))
        }
    }

    /// Runs `transform` on every item at once, on up to `width` threads of their own; the first error wins.
    static func concurrently<Item: Sendable, Output: Sendable>(
        _ items: [Item], width: Int = 8, _ transform: @escaping @Sendable (Item) throws(AccountFetchError) -> Output
    ) throws(AccountFetchError) -> [Output] {
        let results = Mutex<[Swift.Result<Output, AccountFetchError>?]>(Array(repeating: nil, count: items.count))
        let next = Atomic<Int>(0)
        BlockingWork.together(min(width, items.count)) {
            while case let index = next.add(1, ordering: .relaxed).oldValue, index < items.count {
                let outcome = Swift.Result { () throws(AccountFetchError) in try transform(items[index]) }
                results.withLock { $0[index] = outcome }
            }
        }
        return try results.withLock { $0 }.map { result throws(AccountFetchError) in try result!.get() }
    }

    /// Refuses an account the DC returned for another name: its name becomes part of file names
    /// and cache keys. Names compare case-insensitively, with or without their `$`.
    package static func checkName(_ returned: String, answers requested: String) throws(AccountFetchError) {
        guard AccountName(returned).normalized == AccountName(requested).normalized else {
            throw .accountNameMismatch(requested: requested, returned: returned)
        }
    }

    /// Blob → passwords → keys, with the salt AD uses for the account.
    /// `salt` nil: AD's rule for computer-like accounts.
    package static func derive(
        _ record: ManagedServiceAccountRecord, realm: String, dnsDomain: String, salt: Salt? = nil
    ) throws(AccountFetchError) -> ManagedAccount {
        let account = record.samAccountName
        let blob: ManagedPasswordBlob
        do {
            blob = try ManagedPasswordBlob(decoding: record.managedPasswordBlob)
        } catch {
            throw .malformedPassword(account: account, error)
        }
        let salt = salt ?? Salt.computerAccount(realm: realm, accountName: account, dnsDomain: dnsDomain)
        let types = SupportedEncryptionTypes.encryptionTypes(fromAttribute: record.supportedEncryptionTypes)
        let current: [KerberosKey], previous: [KerberosKey]
        do {
            current = try KeyDerivation.keys(for: blob.currentPassword, salt: salt, encryptionTypes: types)
            previous =
                try blob.previousPassword.map { password throws(KeyDerivationError) in
                    try KeyDerivation.keys(for: password, salt: salt, encryptionTypes: types)
                } ?? []
        } catch {
            throw .keyDerivation(account: account, error)
        }
        return ManagedAccount(
            samAccountName: account, realm: realm, dnsDomain: dnsDomain.lowercased(),
            keyVersionNumber: record.keyVersionNumber, encryptionTypes: types,
            servicePrincipalNames: record.servicePrincipalNames, dnsHostName: record.dnsHostName,
            objectSid: record.objectSid?.description, objectGUID: record.objectGUID, salt: salt,
            currentKeys: current, previousKeys: previous,
            queryPasswordInterval: blob.queryPasswordInterval, unchangedPasswordInterval: blob.unchangedPasswordInterval,
            fetchedAt: Date())
    }
}
