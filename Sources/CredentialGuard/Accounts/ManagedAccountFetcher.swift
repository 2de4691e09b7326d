import CCGPlugin
import CredSpec
import Directory
import DomainModel
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Kerberos
import KerberosKeys

/// The core pipeline: portable user's credentials → Kerberos login → sealed LDAP read of the
/// managed password → keys. Synchronous and blocking: run it off the event loop and off the
/// Swift concurrency pool. Uses the process's Kerberos configuration (KRB5_CONFIG), which
/// GSS-API reads too.
public struct ManagedAccountFetcher: Sendable {
    public var settings: DomainSettings

    public init(settings: DomainSettings) {
        self.settings = settings
    }

    /// What one fetch produced.
    public struct Result: Sendable {
        public let accounts: [ManagedAccount]
        /// The DC that answered.
        public let controller: DomainController
        /// DCs tried before it that did not answer.
        public let unreachableControllers: [DomainController]
        public let portableUser: String
    }

    /// Fetches every account of `spec`, logging in as `credential`'s user.
    public func fetch(_ spec: CredentialSpec, credential: DomainCredential) throws(AccountFetchError) -> Result {
        try fetch(accounts: spec.accounts, realm: spec.realm, dnsDomain: spec.dnsDomain,
                  netBiosName: spec.domainJoinConfig.netBiosName, credential: credential)
    }

    /// Fetches `accounts` (names with or without `$`) of the domain `dnsDomain`/`realm`.
    public func fetch(
        accounts: [String], realm: String, dnsDomain: String, netBiosName: String?, credential: DomainCredential
    ) throws(AccountFetchError) -> Result {
        try fetch(accounts: accounts, realm: realm, dnsDomain: dnsDomain, netBiosName: netBiosName, login: .portableUser(credential))
    }

    /// Fetches `accounts` of the domain `dnsDomain`/`realm`, reading as the portable user or as the host itself.
    public func fetch(
        accounts: [String], realm: String, dnsDomain: String, netBiosName: String?, login: DomainLogin
    ) throws(AccountFetchError) -> Result {
        let session = try DirectorySession(settings: settings, realm: realm, dnsDomain: dnsDomain, netBiosName: netBiosName,
                                           login: login)
        let domainDN = DirectoryConnection.distinguishedName(ofDNSDomain: dnsDomain)
        var fetched: [ManagedAccount] = []
        for account in accounts {
            let record: ManagedServiceAccountRecord
            do { record = try session.connection.readManagedServiceAccount(account, domainDN: domainDN) } catch {
                // The host's own account: the fix is its group membership, and a new ticket after it.
                if case let .accessDenied(denied, _) = error, case let .machine(machine, _) = login {
                    throw .machineAccountNotAllowed(account: denied, machine: machine)
                }
                throw .directory(error)
            }
            try Self.checkName(record.samAccountName, answers: account)
            fetched.append(try Self.derive(record, realm: realm, dnsDomain: dnsDomain))
        }
        return Result(accounts: fetched, controller: session.controller, unreachableControllers: session.unreachableControllers,
                      portableUser: session.user)
    }

    /// Refuses an account the DC returned for another name: its name becomes part of file names
    /// and cache keys. Names compare case-insensitively, with or without their `$`.
    public static func checkName(_ returned: String, answers requested: String) throws(AccountFetchError) {
        guard AccountName(returned).normalized == AccountName(requested).normalized else { throw .accountNameMismatch(requested: requested, returned: returned) }
    }

    /// Blob → passwords → keys, with the salt AD uses for the account.
    public static func derive(_ record: ManagedServiceAccountRecord, realm: String, dnsDomain: String) throws(AccountFetchError) -> ManagedAccount {
        let account = record.samAccountName
        let blob: ManagedPasswordBlob
        do {
            blob = try ManagedPasswordBlob(decoding: record.managedPasswordBlob)
        } catch {
            throw .malformedPassword(account: account, error)
        }
        let salt = Salt.computerAccount(realm: realm, accountName: account, dnsDomain: dnsDomain)
        let types = SupportedEncryptionTypes.encryptionTypes(fromAttribute: record.supportedEncryptionTypes)
        let current: [KerberosKey], previous: [KerberosKey]
        do {
            current = try KeyDerivation.keys(for: blob.currentPassword, salt: salt, encryptionTypes: types)
            previous = try blob.previousPassword.map { password throws(KeyDerivationError) in
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
