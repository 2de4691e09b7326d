import CredSpec
import DurableFiles
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import InlinePlugin
import Kerberos
import Logging
import ManagedPassword

/// Creates leases, keeps their files fresh as tickets age and AD rotates passwords, and deletes
/// them. One fetch of an account serves every lease of it; concurrent requests for an account
/// not yet cached share one fetch.
public actor LeaseKeeper {
    public struct Settings: Sendable {
        /// Lease directories go under `<runtimeDirectory>/leases`.
        public var runtimeDirectory: String
        public var journal: LeaseJournal
        public var credSpecs: CredSpecDirectory
        /// The krb5.conf a container of `realm` gets, with its mount path.
        public var containerKerberosConfiguration: @Sendable (_ realm: String, _ mountPath: String) -> KerberosConfiguration
        public var policy = RefreshPolicy()
        /// Retry a failed refresh after this long, doubling up to `maximumRetry`.
        public var firstRetry: TimeInterval = 30
        public var maximumRetry: TimeInterval = 600

        public init(runtimeDirectory: String, journal: LeaseJournal, credSpecs: CredSpecDirectory,
                    containerKerberosConfiguration: @escaping @Sendable (String, String) -> KerberosConfiguration) {
            self.runtimeDirectory = runtimeDirectory
            self.journal = journal
            self.credSpecs = credSpecs
            self.containerKerberosConfiguration = containerKerberosConfiguration
        }

        var leasesDirectory: String { runtimeDirectory + "/leases" }
    }

    /// An account's place in the cache: the account and who vouched for it.
    struct AccountKey: Hashable {
        let realm: String
        /// Lower-cased, with `$`.
        let name: String
        /// The plug-in and input it is fetched through: another one means another fetch.
        let authority: AccountAuthority

        init(realm: String, account: String, authority: AccountAuthority) {
            self.realm = realm.uppercased()
            let lower = account.lowercased()
            name = lower.hasSuffix("$") ? lower : lower + "$"
            self.authority = authority
        }
    }

    struct AccountEntry {
        var credentials: AccountCredentials?
        /// The CredSpec to fetch it again with (its plug-in knows the portable user).
        var spec: CredentialSpec
        var state: AccountState = .refreshing
        var lastError: String?
        var failures = 0
        var retryAt: Date?
        var passwordRefreshAt: Date?
        var ticketRefreshAt: Date?
        var leases: Set<LeaseID> = []
        var jitter = Double.random(in: 0...1)

        /// When the scheduler must look at it next: after a failure, the retry (the missed
        /// refresh times stay in the past, so the retry does the same work).
        var dueAt: Date? {
            retryAt ?? [passwordRefreshAt, ticketRefreshAt].compactMap { $0 }.min()
        }
    }

    private var settings: Settings
    private let source: AccountSource
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let blocking = BlockingWork(label: "ccgd.leases")

    private var leases: [LeaseID: Lease] = [:]
    private var accounts: [AccountKey: AccountEntry] = [:]
    private var inFlight: [AccountKey: Task<AccountCredentials, Error>] = [:]
    private var accepting = true
    /// Leases whose deletion is being recorded: not deleted twice, not rewritten meanwhile.
    private var deleting: Set<LeaseID> = []
    /// Rewrites of lease files on their way, which a deletion waits for.
    private var writing: [LeaseID: Task<Void, Never>] = [:]
    /// The record JSON of each named CredSpec, so that its leases do not each write it anew.
    private var recordJSON: [String: (spec: CredentialSpec, json: String)] = [:]

    /// How many directory fetches were started: the proof of coalescing.
    public private(set) var fetchCount = 0

    public init(settings: Settings, source: AccountSource, logger: Logger = Logger(label: "ccgd.leases"),
                now: @escaping @Sendable () -> Date = { Date() }) {
        self.settings = settings
        self.source = source
        self.logger = logger
        self.now = now
    }

    // MARK: - Leases

    /// Creates a lease: resolves the CredSpec, gets its accounts (cached or fetched), writes the
    /// lease directory, records the lease durably, and only then answers.
    public func create(_ request: LeaseRequest) async throws(LeaseError) -> Lease {
        guard accepting else { throw .shuttingDown }
        let spec: CredentialSpec, name: String?
        switch request.source {
        case let .inline(inline): (spec, name) = (inline, nil)
        case let .named(text): (spec, name) = (try settings.credSpecs.read(text), text)
        }
        let credentials = try await credentials(for: spec)
        let id = LeaseID()
        let lease = Lease(
            id: id, credentialSpec: spec, credentialSpecName: name, owner: request.owner, containerID: request.containerID,
            mountPath: request.mountPath, createdAt: now(), creator: request.creator,
            directory: request.directory ?? settings.leasesDirectory + "/" + id.value,
            identities: [], ticketExpiresAt: nil, refreshAt: nil)
        let record = record(of: lease)
        let files = try files(for: lease, credentials: credentials)
        do {
            try await blocking.run { try files.create() }
            // Acknowledged only once recorded durably: a crash after this answer loses nothing.
            try await settings.journal.append(.created(record))
        } catch {
            try? files.directory.remove()
            throw .storage("\(error)")
        }
        return attach(lease, credentials: credentials)
    }

    public func lease(_ id: LeaseID) -> Lease? { leases[id] }

    /// The keytab of lease `id`, rendered from its accounts' cached credentials: never read back
    /// from the lease directory, which its owner can change. Nil while an account is not fetched.
    public func keytab(of id: LeaseID) throws(LeaseError) -> SecretBytes? {
        guard let lease = leases[id] else { throw .notFound(id) }
        let credentials = Self.keys(of: lease.credentialSpec).compactMap { accounts[$0]?.credentials }
        guard credentials.count == lease.credentialSpec.accounts.count else { return nil }
        do { return try KeytabFile.combining(credentials.map(\.keytab)) } catch { throw .storage("\(error)") }
    }

    /// Every lease, oldest first.
    public func allLeases() -> [Lease] {
        leases.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    public var leaseCount: Int { leases.count }

    /// Deletes a lease: its record, then its directory (gone when this returns). A lease whose
    /// deletion cannot be recorded stays, files and all.
    public func delete(_ id: LeaseID) async throws(LeaseError) {
        guard let lease = leases[id], !deleting.contains(id) else { throw .notFound(id) }
        deleting.insert(id)
        defer { deleting.remove(id) }
        do {
            // Recorded first: a crash in between leaves a directory that start-up removes, never a
            // record whose directory is gone.
            try await settings.journal.append(.deleted(id))
        } catch {
            throw .storage("\(error)")
        }
        leases[id] = nil
        for key in Self.keys(of: lease.credentialSpec) { accounts[key]?.leases.remove(id) }
        // A rewrite already on its way must land before the directory goes, or it would make it again.
        await writing[id]?.value
        let directory = LeaseDirectory(path: lease.directory, owner: lease.owner)
        do {
            try await blocking.run { try directory.remove() }
        } catch {
            logger.error("a deleted lease's directory is left behind", metadata: ["lease": "\(id)", "error": "\(error)"])
            throw .directoryLeftBehind(id: id, path: lease.directory, reason: "\(error)")
        }
    }

    /// Named CredSpecs come from `directory` from now on (a reload).
    public func useCredSpecDirectory(_ directory: CredSpecDirectory) {
        settings.credSpecs = directory
    }

    /// Refreshes planned from now on follow these timings (a reload).
    public func useRefreshTimings(ticketRenewal: Double, firstRetry: TimeInterval, maximumRetry: TimeInterval) {
        settings.policy.ticketRenewalFraction = ticketRenewal
        settings.firstRetry = firstRetry
        settings.maximumRetry = maximumRetry
    }

    /// Stops taking new leases (for a graceful shutdown); existing ones stay on disk.
    public func stopAccepting() { accepting = false }

    // MARK: - Accounts

    /// The cached accounts as the API shows them.
    public func accountStatuses() -> [AccountStatus] {
        accounts.map { key, entry in
            AccountStatus(
                account: entry.credentials?.account.samAccountName ?? key.name, realm: key.realm,
                kvno: entry.credentials?.account.keyVersionNumber,
                enctypes: entry.credentials?.account.encryptionTypes.map(\.name) ?? [],
                fetchedAt: entry.credentials?.account.fetchedAt, refreshAt: entry.dueAt,
                leases: entry.leases.count, state: entry.state, lastError: entry.lastError)
        }.sorted { ($0.realm, $0.account) < ($1.realm, $1.account) }
    }

    /// The credentials of every account of `spec`, fetching those not cached (one fetch for all
    /// of them, shared with concurrent callers).
    func credentials(for spec: CredentialSpec) async throws(LeaseError) -> [AccountCredentials] {
        let keys = Self.keys(of: spec)
        let missing = keys.filter { accounts[$0]?.credentials == nil && inFlight[$0] == nil }
        if !missing.isEmpty {
            // The CredSpec's own spelling: a source that is not the directory may not fold case.
            let names = missing.map { key in spec.accounts.first { AccountKey(realm: spec.realm, account: $0, authority: key.authority) == key } ?? key.name }
            let source = self.source
            let fetch = Task { try await source.fetch(accounts: names, of: spec) }
            fetchCount += 1
            for (index, key) in missing.enumerated() {
                inFlight[key] = Task { try await fetch.value[index] }
                if accounts[key] == nil { accounts[key] = AccountEntry(spec: spec) }
            }
            do {
                let fetched = try await fetch.value
                for (key, credentials) in zip(missing, fetched) { store(credentials, for: key) }
            } catch {
                for key in missing {
                    inFlight[key] = nil
                    // A first fetch that failed leaves nothing to keep fresh unless a lease waits for it.
                    if accounts[key]?.credentials == nil && accounts[key]?.leases.isEmpty ?? true { accounts[key] = nil }
                }
                throw Self.leaseError(error)
            }
            for key in missing { inFlight[key] = nil }
        }
        var result: [AccountCredentials] = []
        for key in keys {
            if let cached = accounts[key]?.credentials {
                result.append(cached)
            } else if let pending = inFlight[key] {
                do { result.append(try await pending.value) } catch { throw Self.leaseError(error) }
            } else {
                throw .fetch(.directory(.accountNotFound(account: key.name, searchBase: key.realm)))
            }
        }
        return result
    }

    private func store(_ credentials: AccountCredentials, for key: AccountKey) {
        // The entry was made with the CredSpec that started the fetch; a lease deleted meanwhile may have dropped it.
        guard var entry = accounts[key] else { return }
        entry.credentials = credentials
        entry.state = .fresh
        entry.lastError = nil
        entry.failures = 0
        entry.retryAt = nil
        entry.passwordRefreshAt = settings.policy.passwordRefresh(for: credentials.account, jitter: entry.jitter)
        entry.ticketRefreshAt = settings.policy.ticketRefresh(credentials.ticket, now: now())
        if credentials.ticket.endTime.timeIntervalSince(credentials.ticket.startTime) < settings.policy.minimumTicketInterval * 2 {
            logger.warning("the KDC issued a ticket that lives only briefly; renewals are spaced to protect it", metadata: [
                "account": "\(credentials.account.samAccountName)", "lifetime_seconds":
                    "\(Int(credentials.ticket.endTime.timeIntervalSince(credentials.ticket.startTime)))",
                "hint": "check the domain's maximum ticket lifetime and the clocks of this host and the DC"])
        }
        accounts[key] = entry
    }

    private static func leaseError(_ error: Error) -> LeaseError {
        switch error {
        case let error as LeaseError: error
        case let error as PluginHostError: .plugin(error)
        case let error as AccountFetchError: .fetch(error)
        default: .storage("\(error)")
        }
    }

    static func keys(of spec: CredentialSpec) -> [AccountKey] {
        let authority = AccountAuthority(spec)
        return spec.accounts.map { AccountKey(realm: spec.realm, account: $0, authority: authority) }
    }

    // MARK: - Files

    /// What goes into a lease's directory, computed from the accounts' cached credentials.
    private func files(for lease: Lease, credentials: [AccountCredentials]) throws(LeaseError) -> LeaseDirectoryWriter {
        let keytab: SecretBytes
        do { keytab = try KeytabFile.combining(credentials.map(\.keytab)) } catch { throw .storage("\(error)") }
        let caches = credentials.enumerated().map { index, credentials in
            (name: LeaseDirectory.ticketCacheName(index: index, account: credentials.account.samAccountName), bytes: credentials.ticketCache)
        }
        let configuration = settings.containerKerberosConfiguration(lease.credentialSpec.realm, lease.mountPath).rendered()
        return LeaseDirectoryWriter(
            directory: LeaseDirectory(path: lease.directory, owner: lease.owner), keytab: keytab, caches: caches,
            kerberosConfiguration: configuration)
    }

    /// Records the lease in memory with its identities and refresh times.
    private func attach(_ lease: Lease, credentials: [AccountCredentials]) -> Lease {
        var lease = lease
        for key in Self.keys(of: lease.credentialSpec) { accounts[key]?.leases.insert(lease.id) }
        if !credentials.isEmpty { lease = describe(lease, credentials: credentials) }
        leases[lease.id] = lease
        return lease
    }

    private func describe(_ lease: Lease, credentials: [AccountCredentials]) -> Lease {
        var lease = lease
        lease.identities = credentials.enumerated().map { index, credentials in
            let account = credentials.account
            return LeaseIdentity(
                account: account.samAccountName, realm: account.realm, principal: account.principal,
                ccache: LeaseDirectory.ticketCacheName(index: index, account: account.samAccountName),
                kvno: account.keyVersionNumber, enctypes: account.encryptionTypes.map(\.name),
                servicePrincipalNames: account.servicePrincipalNames)
        }
        lease.ticketExpiresAt = credentials.first?.ticket.endTime
        lease.refreshAt = Self.keys(of: lease.credentialSpec).compactMap { accounts[$0]?.dueAt }.min()
        return lease
    }

    // MARK: - Refresh

    /// The earliest time an account needs attention.
    public func nextDue() -> Date? {
        accounts.values.compactMap(\.dueAt).min()
    }

    /// Refreshes every account due at `time`: a new password read when the unchanged interval
    /// ends, a new TGT when the ticket ages; each changed account's leases are rewritten. A
    /// failure keeps the old (still valid) files and retries with backoff.
    public func refreshDue(at time: Date) async {
        let due = accounts.filter { ($0.value.dueAt ?? .distantFuture) <= time }.map(\.key)
        for key in due {
            guard let entry = accounts[key] else { continue }
            if entry.leases.isEmpty {
                // Nobody uses it any more: forget its keys rather than keep them fresh.
                accounts[key] = nil
                continue
            }
            let passwordDue = entry.credentials == nil || (entry.passwordRefreshAt ?? .distantFuture) <= time
            _ = await refresh(key, readingPassword: passwordDue, at: time)
        }
    }

    /// Fetches the accounts whose CredSpec's HostAccountConfig `matches` again now (their
    /// plug-in's credentials changed: the ECS agent renewed a portable user's password) and
    /// rewrites their leases. Answers those leases and the first failure, if any.
    public func refreshAccounts(
        matching matches: @Sendable (HostAccountConfig) -> Bool
    ) async -> (leases: [Lease], failure: LeaseError?) {
        let keys = accounts.filter { !$0.value.leases.isEmpty && matches($0.value.spec.hostAccountConfig) }.map(\.key)
        var failure: LeaseError?
        for key in keys {
            if let error = await refresh(key, readingPassword: true, at: now()), failure == nil { failure = error }
        }
        let ids = Set(keys.flatMap { accounts[$0]?.leases ?? [] })
        return (ids.compactMap { leases[$0] }.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }, failure)
    }

    /// Refreshes one account: its password read again (or only a new ticket), its leases
    /// rewritten; a failure is recorded for a retry with backoff and answered.
    private func refresh(_ key: AccountKey, readingPassword passwordDue: Bool, at time: Date) async -> LeaseError? {
        guard var entry = accounts[key] else { return nil }
        entry.state = .refreshing
        accounts[key] = entry
        do {
            let renewed: AccountCredentials
            if passwordDue || entry.credentials == nil {
                fetchCount += 1
                let name = entry.credentials?.account.samAccountName
                    ?? entry.spec.accounts.first { AccountKey(realm: key.realm, account: $0, authority: key.authority) == key } ?? key.name
                guard let fetched = try await source.fetch(accounts: [name], of: entry.spec).first else {
                    throw LeaseError.fetch(.directory(.accountNotFound(account: key.name, searchBase: key.realm)))
                }
                renewed = fetched
            } else {
                renewed = try await source.renewTicket(entry.credentials!)
            }
            let previousKVNO = accounts[key]?.credentials?.account.keyVersionNumber
            store(renewed, for: key)
            if let previousKVNO, previousKVNO != renewed.account.keyVersionNumber {
                logger.notice("password rotated", metadata: [
                    "account": "\(renewed.account.samAccountName)", "kvno": "\(renewed.account.keyVersionNumber)",
                    "previous_kvno": "\(previousKVNO)"])
            }
            await rewriteLeases(of: key)
            return nil
        } catch {
            fail(key, error, at: time)
            return Self.leaseError(error)
        }
    }

    private func fail(_ key: AccountKey, _ error: Error, at time: Date) {
        guard var entry = accounts[key] else { return }
        entry.failures += 1
        let delay = min(settings.firstRetry * pow(2, Double(entry.failures - 1)), settings.maximumRetry)
        entry.retryAt = time.addingTimeInterval(delay * Double.random(in: 0.8...1.2))
        let ticketValid = (entry.credentials?.ticket.endTime ?? .distantPast) > time
        entry.state = ticketValid ? .stale : .failed
        entry.lastError = (error is LeaseError || error is PluginHostError || error is AccountFetchError)
            ? "\(Self.leaseError(error))" : "\(error)"
        accounts[key] = entry
        Metrics.shared.increment("ccgd_refresh_failures_total")
        logger.warning("refresh failed; the leases keep their current files", metadata: [
            "account": "\(key.name)", "realm": "\(key.realm)", "error": "\(entry.lastError ?? "")",
            "retry_at": "\(entry.retryAt!.formatted(.iso8601))"])
    }

    /// Rewrites the files of every lease of the account `key`.
    private func rewriteLeases(of key: AccountKey) async {
        guard let ids = accounts[key]?.leases else { return }
        for id in ids {
            guard let lease = leases[id], !deleting.contains(id) else { continue }
            let credentials = Self.keys(of: lease.credentialSpec).compactMap { accounts[$0]?.credentials }
            guard credentials.count == lease.credentialSpec.accounts.count else { continue }
            let files: LeaseDirectoryWriter
            do { files = try self.files(for: lease, credentials: credentials) } catch {
                logger.error("cannot rewrite a lease's files", metadata: ["lease": "\(id)", "error": "\(error)"])
                continue
            }
            let blocking = self.blocking, logger = self.logger
            let write = Task {
                do { try await blocking.run { try files.write() } } catch {
                    logger.error("cannot rewrite a lease's files", metadata: ["lease": "\(id)", "error": "\(error)"])
                }
            }
            writing[id] = write
            await write.value
            writing[id] = nil
            // Deleted while its files were written: it stays deleted.
            guard let current = leases[id] else { continue }
            leases[id] = describe(current, credentials: credentials)
        }
    }

    /// Runs refreshes as they fall due until the task is cancelled.
    public func runScheduler() async {
        while !Task.isCancelled {
            let wait = max(0, min((nextDue() ?? .distantFuture).timeIntervalSince(now()), 10))
            if wait > 0 { try? await Task.sleep(for: .milliseconds(Int(wait * 1000))) }
            if Task.isCancelled { break }
            await refreshDue(at: now())
        }
    }

    // MARK: - Restart

    /// Brings back every recorded lease: removes orphaned directories, fetches the accounts
    /// again and rewrites the files. A lease whose accounts cannot be fetched now stays, keeps
    /// its files, and is retried by the scheduler. Throws when the journal cannot be used at all.
    @discardableResult
    public func restore() async throws -> Int {
        let journal = settings.journal
        let leasesDirectory = settings.leasesDirectory
        let contents: LeaseJournal.Contents
        let kept: [String]
        do {
            (contents, kept) = try await blocking.run { () throws -> (LeaseJournal.Contents, [String]) in
                let contents = try journal.open()
                try FileManager.default.createDirectory(atPath: leasesDirectory, withIntermediateDirectories: true,
                                                        attributes: [.posixPermissions: 0o755])
                let known = Set(contents.records.map(\.id.value))
                let unknown = ((try? FileManager.default.contentsOfDirectory(atPath: leasesDirectory)) ?? []).filter { !known.contains($0) }
                // With damaged lines, a directory without a record may be a lease whose record was
                // damaged: keep it for the operator. Otherwise it was deleted before a crash.
                guard !contents.keepsDirectoriesWithoutRecord else { return (contents, unknown) }
                var leftBehind: [String] = []
                for name in unknown {
                    do { try LeaseDirectory(path: leasesDirectory + "/" + name, owner: LeaseOwner(uid: 0, gid: 0)).remove() } catch {
                        leftBehind.append("\(error)")
                    }
                }
                return (contents, leftBehind)
            }
        } catch let error as LeaseJournalError {
            throw LeaseError.storage("\(error)")
        } catch {
            throw LeaseError.storage("cannot prepare \(leasesDirectory): \(error); check that the runtime directory is writable by ccgd")
        }
        if let damage = contents.damage {
            logger.critical("\(damage)", metadata: ["kept_directories": "\(kept.sorted().joined(separator: ","))"])
        } else if !kept.isEmpty && contents.keepsDirectoriesWithoutRecord {
            logger.warning("lease directories without a record are kept while a damaged journal copy remains; remove the copy once repaired",
                           metadata: ["copies": "\(contents.damagedCopies.joined(separator: ","))", "kept_directories": "\(kept.sorted().joined(separator: ","))"])
        }
        if !contents.keepsDirectoriesWithoutRecord {
            for problem in kept { logger.error("a directory of a deleted lease cannot be removed; remove it by hand", metadata: ["error": "\(problem)"]) }
        }
        var restored = 0
        for record in contents.records {
            guard let spec = try? CredentialSpec(jsonData: Data(record.credentialSpec.utf8)) else {
                logger.error("a lease record holds an invalid CredSpec; it was skipped", metadata: ["lease": "\(record.id)"])
                continue
            }
            let lease = Lease(
                id: record.id, credentialSpec: spec, credentialSpecName: record.credentialSpecName, owner: record.owner,
                containerID: record.containerID, mountPath: record.mountPath, createdAt: record.createdAt,
                creator: record.creator, directory: record.directory ?? settings.leasesDirectory + "/" + record.id.value,
                identities: [], ticketExpiresAt: nil, refreshAt: nil)
            do {
                let credentials = try await credentials(for: spec)
                let files = try files(for: lease, credentials: credentials)
                try await blocking.run { try files.write() }
                _ = attach(lease, credentials: credentials)
            } catch {
                // Keep it: its files (if any) stay; the scheduler fetches again with backoff.
                for key in Self.keys(of: spec) {
                    if accounts[key] == nil { accounts[key] = AccountEntry(spec: spec) }
                    fail(key, error, at: now())
                }
                _ = attach(lease, credentials: [])
            }
            restored += 1
        }
        return restored
    }

    // MARK: - Records

    func record(of lease: Lease) -> LeaseRecord {
        let spec = lease.credentialSpec
        let json: String
        if let name = lease.credentialSpecName, let cached = recordJSON[name], cached.spec == spec {
            json = cached.json
        } else {
            json = Self.recordJSON(of: spec)
            if let name = lease.credentialSpecName { recordJSON[name] = (spec, json) }
        }
        let defaultDirectory = settings.leasesDirectory + "/" + lease.id.value
        return LeaseRecord(
            id: lease.id, credentialSpec: json, credentialSpecName: lease.credentialSpecName,
            owner: lease.owner, containerID: lease.containerID, mountPath: lease.mountPath, createdAt: lease.createdAt,
            creator: lease.creator, directory: lease.directory == defaultDirectory ? nil : lease.directory)
    }

    /// The CredSpec as stored: an inline plug-in's PluginInput (a password) is replaced by a marker.
    static func recordJSON(of spec: CredentialSpec) -> String {
        var stored = spec
        if spec.hostAccountConfig.pluginGUID.normalized == InlinePlugin.guid,
           let redacted = try? spec.replacingPluginInput(.string(LeaseRecord.redactedPluginInput)) {
            stored = redacted
        }
        return String(decoding: stored.jsonData(prettyPrinted: false), as: UTF8.self)
    }
}

/// Writes one lease's directory; built on the actor, run on a blocking thread.
struct LeaseDirectoryWriter: Sendable {
    let directory: LeaseDirectory
    let keytab: SecretBytes
    let caches: [(name: String, bytes: SecretBytes)]
    let kerberosConfiguration: String

    /// Creates or fixes the directory, then replaces each file.
    func write() throws {
        try directory.write(keytab: keytab, ticketCaches: caches, kerberosConfiguration: kerberosConfiguration)
    }

    /// Makes the directory of a new lease.
    func create() throws {
        try directory.create(keytab: keytab, ticketCaches: caches, kerberosConfiguration: kerberosConfiguration)
    }
}

/// An account's freshness, as `GET /v1/accounts` shows it.
public enum AccountState: String, Sendable, Codable {
    case fresh, refreshing, stale, failed
}

/// One cached account, without secrets.
public struct AccountStatus: Sendable {
    public let account: String
    public let realm: String
    public let kvno: UInt32?
    public let enctypes: [String]
    public let fetchedAt: Date?
    public let refreshAt: Date?
    public let leases: Int
    public let state: AccountState
    public let lastError: String?
}
