import ContainerRequest
import CredSpec
import DurableFiles
import FoundationEssentials
import Glibc
import InlinePlugin
import Kerberos
import Logging
import KerberosKeys
import DirectoryPipeline
import DomainModel
import Observability
import SystemSupport
import SystemBasics

/// Creates leases, records them in the journal, rewrites their files when an account's
/// credentials change, and deletes them. The accounts themselves (fetch, refresh, backoff) are
/// the `AccountCache`'s.
package actor LeaseKeeper {
    package struct Settings: Sendable {
        /// Lease directories go under `<runtimeDirectory>/leases`.
        package var runtimeDirectory: String
        package var journal: LeaseJournal
        package var credSpecs: CredSpecDirectory
        /// The krb5.conf a container of `realm` gets, with its mount path.
        package var containerKerberosConfiguration: @Sendable (_ realm: String, _ mountPath: String) -> KerberosConfiguration
        package var policy = RefreshPolicy()
        /// Retry a failed refresh after this long, doubling up to `maximumRetry`.
        package var firstRetry: TimeInterval = 30
        package var maximumRetry: TimeInterval = 600
        /// How many leases each creator may hold, and how much room the runtime directory keeps.
        package var limits = LeaseLimits()
        /// Plug-ins only one front end may use (requests name the one they may in `reservedPlugin`).
        package var reservedPlugins: Set<PluginGUID> = []

        package init(
            runtimeDirectory: String, journal: LeaseJournal, credSpecs: CredSpecDirectory,
            containerKerberosConfiguration: @escaping @Sendable (String, String) -> KerberosConfiguration
        ) {
            self.runtimeDirectory = runtimeDirectory
            self.journal = journal
            self.credSpecs = credSpecs
            self.containerKerberosConfiguration = containerKerberosConfiguration
        }

        var leasesDirectory: String { RuntimeDirectory.leases(in: runtimeDirectory) }
        var timings: AccountCache.Timings { AccountCache.Timings(policy: policy, firstRetry: firstRetry, maximumRetry: maximumRetry) }
    }

    private var settings: Settings
    private let accounts: AccountCache
    /// Fetches the CredSpec directory's CredSpecs ahead of their first lease.
    private let prefetcher: CredSpecPrefetch
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let blocking = BlockingWork(label: "ccgd.leases")
    /// Lease files are written here: a tmpfs, quick, and every lease writes them.
    private let fileWork = FileWork(label: "ccgd.lease-files")

    private var leases: [LeaseID: Lease] = [:]
    /// The cache keys of each lease's accounts.
    private var accountKeys: [LeaseID: [AccountKey]] = [:]
    private var accepting = true
    /// A damaged journal copy is kept (found by `restore`): a directory without a record may
    /// then be a lease whose record was damaged, so none is removed.
    private var keepsDirectoriesWithoutRecord = false
    /// Leases whose deletion is being recorded: not deleted twice, not rewritten meanwhile.
    private var deleting: Set<LeaseID> = []
    /// The last rewrite of each lease's files on its way (each waits for the one before); a deletion waits for it.
    private var writing: [LeaseID: Task<Void, Never>] = [:]
    /// The record JSON of each named CredSpec, so that its leases do not each write it anew.
    private var recordJSON: [String: (spec: CredentialSpec, json: String)] = [:]
    /// The record JSON of the inline CredSpecs recorded last.
    private var inlineRecordJSON: [(spec: CredentialSpec, json: String)] = []
    /// Creations on their way, by creator: counted against the creator's quota with its leases.
    private var creating: [UInt32: Int] = [:]
    /// Ends a lease when its holder process exits.
    private var holders: HolderWatch?
    /// When each named CredSpec last had a lease here (the state directory's `recent-credspecs`).
    private var recent = RecentCredSpecs()
    /// The last write of `recent` on its way; each waits for the one before.
    private var recentWrite: Task<Void, Never>?
    /// How background fetches are spread and bounded.
    private var background = BackgroundFetchSettings()
    /// The fetches of restored leases' accounts, spread over the restore window.
    private var restoring: Task<Void, Never>?

    /// How many directory fetches were started: the proof of coalescing.
    package var fetchCount: Int { get async { await accounts.fetchCount } }

    package init(
        settings: Settings, source: AccountSource, logger: Logger = Logger(label: "ccgd.leases"),
        now: @escaping @Sendable () -> Date = { Date() }
    ) {
        self.settings = settings
        accounts = AccountCache(source: source, timings: settings.timings, logger: logger, now: now)
        prefetcher = CredSpecPrefetch(accounts: accounts, logger: logger)
        self.logger = logger
        self.now = now
    }

    // MARK: - Leases

    /// Creates a lease: resolves the CredSpec, gets its accounts (cached or fetched), writes the
    /// lease directory, records the lease durably, and only then answers.
    package func create(_ request: LeaseRequest) async throws(LeaseError) -> Lease {
        guard accepting else { throw .shuttingDown }
        let spec: CredentialSpec, name: String?
        switch request.source {
        case let .inline(inline): (spec, name) = (inline, nil)
        case let .named(text): (spec, name) = (try settings.credSpecs.read(text), text)
        }
        if let guid = spec.hostAccountConfig?.pluginGUID, settings.reservedPlugins.contains(guid), request.reservedPlugin != guid {
            throw .pluginReserved(guid)
        }
        // Counted from here, so that concurrent creations of one creator cannot pass its quota together.
        let creator = request.creator
        if let quota = settings.limits.quota(for: creator) {
            let held = leases.values.count { $0.creator == creator } + creating[creator, default: 0]
            if held >= quota { throw .quotaExceeded(creator: creator, quota: quota) }
        }
        creating[creator, default: 0] += 1
        defer { creating[creator, default: 1] -= 1 }
        let id = LeaseID()
        let directory = request.directory ?? settings.leasesDirectory + "/" + id.value
        try settings.limits.reserve.check(directory: directory)
        // The holder is found before the DC is asked: a gone one costs nothing.
        var watched: (holder: LeaseHolder, descriptor: ProcessDescriptor?)?
        if let claim = request.holder {
            switch LeaseHolder.identify(claim) {
            case let .success(found): watched = found
            case let .failure(absence): throw .holderGone(claim, absence)
            }
        }
        let credentials = try await accountCredentials(for: spec)
        let lease = Lease(
            id: id, credentialSpec: spec, credentialSpecName: name, owner: request.owner, fileAccess: request.fileAccess,
            containerID: request.containerID,
            mountPath: request.mountPath, createdAt: now(), creator: request.creator, creatorGID: request.creatorGID,
            directory: directory, holder: watched?.holder,
            expiresAt: request.expiresAt, onBehalfOfOwner: request.onBehalfOfOwner, frontEnd: request.frontEnd,
            frontEndDetails: request.frontEndDetails, identities: [], ticketExpiresAt: nil, refreshAt: nil, kubernetesPod: request.kubernetesPod)
        let record = record(of: lease)
        let files = try files(for: lease, credentials: credentials)
        // The files and the record at once: the journal's sync takes longest, and the answer
        // waits for both. A crash in between leaves a record whose files start-up writes again,
        // or a directory without a record, which start-up removes.
        let fileWork = self.fileWork
        async let written: Error? = { do { try await fileWork.run { try files.create() }; return nil } catch { return error } }()
        let journal = settings.journal
        let recorded: Error?
        do { try await journal.append(.created(record)); recorded = nil } catch { recorded = error }
        if let failure = await written ?? recorded {
            // Acknowledged only once recorded durably and written; neither half outlives a failure.
            if recorded == nil {
                do { try await journal.append(.deleted(id)) } catch {
                    logger.error(
                        "a lease whose files failed stays recorded; start-up writes its files again",
                        metadata: [
                            "lease": "\(id)", "error": "\(error)",
                        ])
                }
            }
            try? await fileWork.run { try files.directory.remove() }
            throw .storage("\(failure)")
        }
        let attached = await attach(lease, credentials: credentials)
        if let name { noteUse(of: name) }
        if let watched {
            // Exited while the accounts were fetched: the lease ends before anyone is told of it.
            if let absence = watched.holder.absence(watched.descriptor) {
                try? await delete(id)
                throw .holderGone(watched.holder, absence)
            }
            watch(watched.holder, descriptor: watched.descriptor)
        }
        return attached
    }

    package func lease(_ id: LeaseID) -> Lease? { leases[id] }

    /// The keytab of lease `id`, rendered from its accounts' cached credentials: never read back
    /// from the lease directory, which its owner can change. Nil while an account is not fetched.
    package func keytab(of id: LeaseID) async throws(LeaseError) -> SecretBytes? {
        guard let keys = accountKeys[id] else { throw .notFound(id) }
        guard let credentials = await accounts.cached(keys).credentials else { return nil }
        do { return try KeytabFile.combining(credentials.map(\.keytab)) } catch { throw .storage("\(error)") }
    }

    /// Every lease, oldest first.
    package func allLeases() -> [Lease] {
        leases.values.sorted { ($0.createdAt, $0.id) < ($1.createdAt, $1.id) }
    }

    package var leaseCount: Int { leases.count }

    /// Deletes a lease: its record, then its directory (gone when this returns). A lease whose
    /// deletion cannot be recorded stays, files and all.
    package func delete(_ id: LeaseID) async throws(LeaseError) {
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
        if let holder = lease.holder, !leases.values.contains(where: { $0.holder == holder }) { holders?.forget(holder) }
        let keys = accountKeys.removeValue(forKey: id) ?? []
        await accounts.release(keys, for: id)
        // A rewrite already on its way must land before the directory goes, or it would make it again
        // (none starts once `deleting` holds the lease; the last one waits for those before it).
        await writing[id]?.value
        let directory = LeaseDirectory(path: lease.directory, owner: lease.owner)
        do {
            try await blocking.run { try directory.remove() }
        } catch {
            logger.error("a deleted lease's directory is left behind", metadata: ["lease": "\(id)", "error": "\(error)"])
            throw .directoryLeftBehind(id: id, path: lease.directory, reason: "\(error)")
        }
    }

    // MARK: - Lifetimes

    /// Ends lease `id` (deletes it) for `reason`, with an audit line; a lease already gone is fine.
    /// Answers whether it was ended here.
    @discardableResult
    package func end(_ id: LeaseID, reason: LeaseEnding) async -> Bool {
        guard let lease = leases[id] else { return false }
        do {
            try await delete(id)
        } catch {
            if case .notFound = error { return false }
            logger.error(
                "a lease that should end could not be deleted; it stays",
                metadata: [
                    "lease": "\(id)", "reason": "\(reason)", "error": "\(error)",
                ])
            return false
        }
        noteEnded(
            id, reason: reason, credentialSpecName: lease.credentialSpecName, containerID: lease.containerID, creator: lease.creator,
            owner: lease.owner)
        return true
    }

    /// Watches `holder`: its exit ends each of its leases.
    private func watch(_ holder: LeaseHolder, descriptor: ProcessDescriptor?) {
        if holders == nil {
            holders = HolderWatch { [weak self] holder, absence in
                guard let self else { return }
                Task { await self.holderGone(holder, absence) }
            }
        }
        holders?.watch(holder, descriptor: descriptor)
    }

    private func holderGone(_ holder: LeaseHolder, _ absence: HolderAbsence) async {
        for lease in allLeases() where lease.holder == holder {
            await end(lease.id, reason: .holderGone(holder, absence))
        }
    }

    /// How many holders are watched (for tests and metrics).
    package var watchedHolders: Int { holders?.watchedCount ?? 0 }

    /// Ends leases as they expire until the task is cancelled.
    package func runExpiries() async {
        while !Task.isCancelled {
            let due = leases.values.compactMap(\.expiresAt).min()
            let pause = min(max(due.map { $0.timeIntervalSince(now()) } ?? 5, 0), 5)
            if pause > 0 { try? await Task.sleep(for: .milliseconds(Int(pause * 1000) + 1)) }
            if Task.isCancelled { break }
            await endExpired()
        }
    }

    /// Ends every lease whose time is up.
    package func endExpired() async {
        let time = now()
        for lease in allLeases() where (lease.expiresAt ?? .distantFuture) <= time {
            await end(lease.id, reason: .expired(lease.expiresAt!))
        }
    }

    /// Ends every lease `refusal` says may no longer be held (a reload narrowed the policy, a
    /// restart found it changed); answers how many ended.
    @discardableResult
    package func endLeases(refusedBy refusal: @Sendable (Lease) -> String?) async -> Int {
        var ended = 0
        for lease in allLeases() {
            guard let reason = refusal(lease) else { continue }
            if await end(lease.id, reason: .revoked(reason)) { ended += 1 }
        }
        return ended
    }

    /// Checks every lease of a named CredSpec against the CredSpec directory: one whose file is
    /// gone or no longer a valid CredSpec ends; one whose file changed takes the new CredSpec
    /// (its accounts fetched, its files and record rewritten). A reload calls it, and so does a
    /// change of the directory seen by its watch; answers how many leases took their changed
    /// CredSpec and how many ended.
    @discardableResult
    package func followCredSpecDirectory() async -> (followed: Int, ended: Int) {
        var followed = 0, ended = 0
        for lease in allLeases() {
            guard let name = lease.credentialSpecName else { continue }
            let current: CredentialSpec
            do { current = try settings.credSpecs.read(name) } catch {
                if await end(lease.id, reason: .revoked("its CredSpec \(name) is no longer usable: \(error)")) { ended += 1 }
                continue
            }
            guard current != lease.credentialSpec else { continue }
            if await adopt(current, for: lease.id) { followed += 1 }
        }
        return (followed, ended)
    }

    /// Lease `id` takes `spec` (its named CredSpec changed): kept as it was when the new
    /// accounts cannot be fetched, so that a bad edit does not take a working identity away.
    private func adopt(_ spec: CredentialSpec, for id: LeaseID) async -> Bool {
        let name = leases[id]?.credentialSpecName ?? ""
        let adopted: Lease?
        do { adopted = try await take(spec, for: id) } catch {
            logger.error(
                "a lease's CredSpec changed, but it cannot take it; it keeps the former one",
                metadata: [
                    "lease": "\(id)", "credspec": "\(name)", "error": "\(error)",
                ])
            return false
        }
        guard let adopted else { return false }
        logger.notice(
            "lease follows its changed CredSpec",
            metadata: [
                "lease": "\(id)", "credspec": "\(name)", "accounts": "\(adopted.identities.map(\.account).joined(separator: ","))",
            ])
        return true
    }

    /// Each lease of `specs` takes its new CredSpec (a front end moved it to other credentials:
    /// the ECS agent's rotation to another portable user): the new CredSpec's accounts fetched
    /// (or served from the cache), the files and the record rewritten, the former accounts
    /// released. A lease that cannot take its new CredSpec keeps its former one, files and all.
    /// Answers the leases that took theirs, and the first failure.
    package func adopt(_ specs: [LeaseID: CredentialSpec]) async -> (adopted: [Lease], failure: LeaseError?) {
        var adopted: [Lease] = [], failure: LeaseError?
        for (id, spec) in specs.sorted(by: { $0.key < $1.key }) {
            do {
                if let lease = try await take(spec, for: id) { adopted.append(lease) }
            } catch {
                logger.error("a lease cannot take its new CredSpec; it keeps the former one", metadata: ["lease": "\(id)", "error": "\(error)"])
                failure = failure ?? error
            }
        }
        return (adopted, failure)
    }

    /// Lease `id` takes `spec`: its accounts, its files and its record. Nil when the lease is
    /// gone or being deleted meanwhile; a failure changes nothing of it.
    private func take(_ spec: CredentialSpec, for id: LeaseID) async throws(LeaseError) -> Lease? {
        guard var lease = leases[id], !deleting.contains(id) else { return nil }
        let credentials = try await accountCredentials(for: spec)
        guard leases[id] != nil, !deleting.contains(id) else { return nil }
        lease.credentialSpec = spec
        let files = try files(for: lease, credentials: credentials)
        do {
            try await settings.journal.append(.created(record(of: lease)))
            try await fileWork.run { try files.write() }
        } catch {
            throw .storage("\(error)")
        }
        guard leases[id] != nil, !deleting.contains(id) else { return nil }
        await accounts.release(accountKeys[id] ?? [], for: id)
        return await attach(lease, credentials: credentials)
    }

    /// Forgets failed fetches (of the accounts `host`'s plug-in and input read; all when nil):
    /// the credentials changed, so the next request tries at once.
    package func forgetFailedFetches(fetchedThrough host: HostAccountConfig? = nil) async {
        await accounts.forgetFailures(of: host.map { AccountAuthority(plugin: $0) })
    }

    /// How many leases and limits apply from now on (a reload).
    package func useLimits(_ limits: LeaseLimits) {
        settings.limits = limits
    }

    /// Named CredSpecs come from `directory` from now on (a reload).
    package func useCredSpecDirectory(_ directory: CredSpecDirectory) {
        settings.credSpecs = directory
    }

    /// Refreshes planned from now on follow these timings (a reload).
    package func useRefreshTimings(ticketRenewal: Double, firstRetry: TimeInterval, maximumRetry: TimeInterval) async {
        settings.policy.ticketRenewalFraction = ticketRenewal
        settings.firstRetry = firstRetry
        settings.maximumRetry = maximumRetry
        await accounts.use(settings.timings)
    }

    /// Fetches the CredSpecs of the CredSpec directory that `settings` selects (opted in, or
    /// leased here lately) in the background, spread over the window of `useBackgroundFetches`,
    /// and keeps their accounts fresh (nil: none, and those prefetched before are released);
    /// replaces a round on its way. Returns the round without waiting for it.
    @discardableResult
    package func prefetch(_ settings: PrefetchSettings?) async -> Task<Void, Never> {
        let recentlyUsed = settings.map { recent.used(within: $0.recentPeriod, before: now()) } ?? []
        return await prefetcher.start(self.settings.credSpecs, settings: settings, recentlyUsed: recentlyUsed, window: background.window)
    }

    /// Background fetches (prefetch, restored leases, refreshes) from now on: spread over
    /// `settings.window`, at most `settings.perDomain` at once per domain. Before `restore`, so
    /// that restored leases are spread too.
    package func useBackgroundFetches(_ settings: BackgroundFetchSettings) async {
        background = settings
        await accounts.pacing.use(FetchPacing.Settings(backgroundPerDomain: settings.perDomain))
    }

    /// The fetches of restored leases' accounts on their way (spread over the restore window).
    package var restoredFetches: Task<Void, Never>? { restoring }

    /// How the prefetch of each CredSpec of the directory goes.
    package func prefetchStatuses() async -> [PrefetchStatus] {
        await prefetcher.statuses()
    }

    /// Stops taking new leases (for a graceful shutdown); existing ones stay on disk.
    package func stopAccepting() { accepting = false }

    // MARK: - Accounts

    /// The damaged lease journal copies in the state directory now (see `LeaseJournal.damagedCopies`).
    package func damagedJournalCopies() -> [String] {
        settings.journal.damagedCopies()
    }

    /// The cached accounts as the API shows them.
    package func accountStatuses() async -> [AccountStatus] {
        await accounts.statuses(credSpecNames: leases.compactMapValues(\.credentialSpecName))
    }

    /// A lease of the named CredSpec `name` was made or restored: recorded for the next start's
    /// prefetch (in the background, at most once per `RecentCredSpecs.resolution` per name).
    private func noteUse(of name: String) {
        guard recent.use(name, at: now()) else { return }
        let snapshot = recent, directory = settings.journal.directory, previous = recentWrite, blocking = blocking, logger = logger
        recentWrite = Task {
            await previous?.value
            do { try await blocking.run { try snapshot.write(directory: directory) } } catch {
                logger.warning("cannot record the recently used CredSpecs; the next start may prefetch fewer", metadata: ["error": "\(error)"])
            }
        }
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
            directory: LeaseDirectory(path: lease.directory, owner: lease.owner, access: lease.fileAccess), keytab: keytab, caches: caches,
            kerberosConfiguration: configuration)
    }

    /// Records the lease in memory with its identities and refresh times.
    private func attach(_ lease: Lease, credentials: [AccountCredentials]) async -> Lease {
        let keys = await accounts.keys(of: lease.credentialSpec)
        let dueAt = await accounts.hold(keys, for: lease.id)
        let lease = credentials.isEmpty ? lease : describe(lease, credentials: credentials, refreshAt: dueAt)
        accountKeys[lease.id] = keys
        leases[lease.id] = lease
        return lease
    }

    private func describe(_ lease: Lease, credentials: [AccountCredentials], refreshAt: Date?) -> Lease {
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
        lease.refreshAt = refreshAt
        return lease
    }

    // MARK: - Refresh

    /// The earliest time an account needs attention.
    package func nextDue() async -> Date? {
        await accounts.nextDue()
    }

    /// Refreshes every account due at `time` (each on its own, at once) and rewrites the files of
    /// each changed account's leases; returns when all are done. A failure keeps the old (still
    /// valid) files and retries with backoff.
    package func refreshDue(at time: Date) async {
        await accounts.refreshDue(at: time) { key in await self.rewriteLeases(of: key) }
    }

    /// Reads the passwords of the accounts that `host`'s plug-in and input vouch for again now
    /// and rewrites their leases (the plug-in's credentials changed: the ECS agent renewed a
    /// portable user's password). Answers the leases of those accounts and the first failure.
    package func refreshAccounts(fetchedThrough host: HostAccountConfig) async -> (leases: [Lease], failure: LeaseError?) {
        let (keys, failure) = await accounts.refreshNow(fetchedThrough: AccountAuthority(plugin: host)) { key in
            await self.rewriteLeases(of: key)
        }
        let refreshed = Set(keys)
        let ids = Set(accountKeys.filter { !refreshed.isDisjoint(with: $0.value) }.map(\.key))
        return (allLeases().filter { ids.contains($0.id) }, failure.map(LeaseError.init))
    }

    /// The credentials of `spec`'s accounts (cached or fetched), their failure as a lease's.
    private func accountCredentials(for spec: CredentialSpec) async throws(LeaseError) -> [AccountCredentials] {
        do throws(AccountError) { return try await accounts.credentials(for: spec) } catch { throw LeaseError(error) }
    }

    /// Rewrites the files of every lease of the account `key`.
    private func rewriteLeases(of key: AccountKey) async {
        let ids = accountKeys.filter { $0.value.contains(key) }.map(\.key)
        for id in ids where leases[id] != nil && !deleting.contains(id) {
            // Queued behind the lease's previous rewrite (another account of it), so the newest credentials land last.
            let previous = writing[id]
            let write = Task {
                await previous?.value; await self.rewrite(id)
            }
            writing[id] = write
            await write.value
            if writing[id] == write { writing[id] = nil }
        }
    }

    /// Writes lease `id`'s files from the cached credentials, unless it is being deleted.
    private func rewrite(_ id: LeaseID) async {
        guard let keys = accountKeys[id], leases[id] != nil, !deleting.contains(id) else { return }
        let (cached, dueAt) = await accounts.cached(keys)
        // Deleted while the credentials were read: it stays deleted.
        guard let credentials = cached, let lease = leases[id], !deleting.contains(id) else { return }
        let files: LeaseDirectoryWriter
        do { files = try self.files(for: lease, credentials: credentials) } catch {
            logger.error("cannot rewrite a lease's files", metadata: ["lease": "\(id)", "error": "\(error)"])
            return
        }
        do { try await fileWork.run { try files.write() } } catch {
            logger.error("cannot rewrite a lease's files", metadata: ["lease": "\(id)", "error": "\(error)"])
        }
        // Deleted while its files were written: it stays deleted.
        guard let current = leases[id] else { return }
        leases[id] = describe(current, credentials: credentials, refreshAt: dueAt)
    }

    /// Runs refreshes as they fall due until the task is cancelled; a refresh that hangs holds up
    /// only its own account.
    package func runScheduler() async {
        while !Task.isCancelled {
            await accounts.pauseUntilNextDue(cap: 10)
            if Task.isCancelled { break }
            await accounts.startRefreshes(at: now()) { key in await self.rewriteLeases(of: key) }
        }
        await accounts.cancelRefreshes()
    }

    // MARK: - Restart

    /// Brings back every recorded lease: removes orphaned directories, fetches the accounts
    /// again and rewrites the files. A lease whose accounts cannot be fetched now stays, keeps
    /// its files, and is retried by the scheduler. Throws when the journal cannot be used at all.
    @discardableResult
    package func restore() async throws -> Int {
        let journal = settings.journal
        let leasesDirectory = settings.leasesDirectory
        let contents: LeaseJournal.Contents
        let kept: [String]
        do {
            (contents, kept) = try await blocking.run { () throws -> (LeaseJournal.Contents, [String]) in
                let contents = try journal.open()
                if mkdir(leasesDirectory, RuntimeDirectory.leasesMode) != 0 && errno != EEXIST {
                    throw FileSystemError("create", path: leasesDirectory, errno: errno)
                }
                // Listed and swept through its descriptor: a symlink in its place is refused, none in it followed.
                let leases = try DirectoryHandle(opening: leasesDirectory)
                let known = Set(contents.records.map(\.id.value))
                let unknown = (try leases.names() ?? []).filter { !known.contains($0) }
                // With damaged lines, a directory without a record may be a lease whose record was
                // damaged: keep it for the operator. Otherwise it was deleted before a crash.
                guard !contents.keepsDirectoriesWithoutRecord else { return (contents, unknown) }
                var leftBehind: [String] = []
                for name in unknown {
                    do { try leases.remove(name) } catch { leftBehind.append("\(error)") }
                }
                return (contents, leftBehind)
            }
        } catch let error as LeaseJournalError {
            throw LeaseError.storage("\(error)")
        } catch {
            throw LeaseError.storage("cannot prepare \(leasesDirectory): \(error); check that the runtime directory is writable by ccgd")
        }
        keepsDirectoriesWithoutRecord = contents.keepsDirectoriesWithoutRecord
        if let damage = contents.damage {
            logger.critical("\(damage)", metadata: ["kept_directories": "\(kept.sorted().joined(separator: ","))"])
        } else if !kept.isEmpty && contents.keepsDirectoriesWithoutRecord {
            logger.warning(
                "lease directories without a record are kept while a damaged journal copy remains; remove the copy once repaired",
                metadata: ["copies": "\(contents.damagedCopies.joined(separator: ","))", "kept_directories": "\(kept.sorted().joined(separator: ","))"])
        }
        if !contents.keepsDirectoriesWithoutRecord {
            for problem in kept { logger.error("a directory of a deleted lease cannot be removed; remove it by hand", metadata: ["error": "\(problem)"]) }
        }
        recent = (try? await blocking.run { [journal] in RecentCredSpecs.read(directory: journal.directory) }) ?? RecentCredSpecs()
        var restored = 0
        var deferred: [CredentialSpec] = []
        for record in contents.records {
            guard let recorded = try? CredentialSpec(jsonData: Data(record.credentialSpec.utf8)) else {
                logger.error("a lease record holds an invalid CredSpec; it was skipped", metadata: ["lease": "\(record.id)"])
                continue
            }
            // A lease whose holder, time or CredSpec is gone ends now, before any DC is asked for it.
            var spec = recorded
            var descriptor: ProcessDescriptor?
            if let expiresAt = record.expiresAt, expiresAt <= now() {
                await discard(record, reason: .expired(expiresAt))
                continue
            }
            if let holder = record.holder {
                switch holder.reidentify() {
                case let .success(found): descriptor = found
                case let .failure(absence):
                    await discard(record, reason: .holderGone(holder, absence))
                    continue
                }
            }
            if let name = record.credentialSpecName {
                do { spec = try settings.credSpecs.read(name) } catch {
                    await discard(record, reason: .revoked("its CredSpec \(name) is no longer usable: \(error)"))
                    continue
                }
            }
            let lease = Lease(
                id: record.id, credentialSpec: spec, credentialSpecName: record.credentialSpecName, owner: record.owner,
                fileAccess: record.fileAccess ?? .owner, containerID: record.containerID, mountPath: record.mountPath, createdAt: record.createdAt,
                creator: record.creator, creatorGID: record.creatorGID,
                directory: record.directory ?? settings.leasesDirectory + "/" + record.id.value, holder: record.holder,
                expiresAt: record.expiresAt, onBehalfOfOwner: record.onBehalfOfOwner ?? false,
                frontEnd: record.frontEnd ?? LeaseRequest.socketAPI, frontEndDetails: record.frontEndDetails ?? [:], identities: [],
                ticketExpiresAt: nil, refreshAt: nil, kubernetesPod: record.kubernetesPod.map(Self.recordedPod))
            if spec != recorded {
                // The file changed while ccgd was down: the lease follows it, and its record too.
                do { try await journal.append(.created(self.record(of: lease))) } catch {
                    logger.error(
                        "a lease's changed CredSpec cannot be recorded; it is used until the next restart",
                        metadata: [
                            "lease": "\(record.id)", "error": "\(error)",
                        ])
                }
            }
            if let name = record.credentialSpecName { noteUse(of: name) }
            if background.restoreWindow > .zero, LeaseDirectory(path: lease.directory, owner: lease.owner).holdsFiles() {
                // Its files still serve (tickets outlive the window): fetched in the background,
                // spread with the rest of the fleet restarting now, then rewritten.
                await accounts.expect(spec)
                _ = await attach(lease, credentials: [])
                deferred.append(spec)
            } else {
                do {
                    let credentials = try await accounts.credentials(for: spec)
                    let files = try files(for: lease, credentials: credentials)
                    try await blocking.run { try files.write() }
                    _ = await attach(lease, credentials: credentials)
                } catch {
                    // Keep it: its files (if any) stay; the scheduler fetches again with backoff.
                    await accounts.failed(spec, error)
                    _ = await attach(lease, credentials: [])
                }
            }
            if let holder = record.holder { watch(holder, descriptor: descriptor) }
            restored += 1
        }
        if !deferred.isEmpty {
            let window = background.restoreWindow
            restoring = Task { await self.fetchRestored(deferred, over: window) }
        }
        return restored
    }

    /// Fetches the accounts of restored leases, each CredSpec's at a random moment of `window`
    /// through the pacing of background fetches, and rewrites their leases' files; a failure is
    /// the scheduler's to retry with backoff (the files stay meanwhile).
    private func fetchRestored(_ specs: [CredentialSpec], over window: Duration) async {
        var distinct: [[AccountKey]: CredentialSpec] = [:]
        for spec in specs { distinct[await accounts.keys(of: spec)] = spec }
        await withTaskGroup(of: Void.self) { fetches in
            for (keys, spec) in distinct {
                let delay = Duration.milliseconds(Int64.random(in: 0...max(0, Int64(window.secondsValue * 1000))))
                fetches.addTask {
                    do { try await Task.sleep(for: delay) } catch { return }
                    do {
                        _ = try await self.accounts.credentials(for: spec, priority: .background)
                        for key in keys { await self.rewriteLeases(of: key) }
                    } catch {
                        await self.accounts.failed(spec, error)
                    }
                }
            }
        }
    }

    /// Ends a recorded lease that is not restored: its deletion recorded, its directory removed.
    private func discard(_ record: LeaseRecord, reason: LeaseEnding) async {
        do { try await settings.journal.append(.deleted(record.id)) } catch {
            logger.error(
                "a lease that should end cannot be recorded as deleted; it is kept",
                metadata: [
                    "lease": "\(record.id)", "reason": "\(reason)", "error": "\(error)",
                ])
            return
        }
        let directory = LeaseDirectory(path: record.directory ?? settings.leasesDirectory + "/" + record.id.value, owner: record.owner)
        do { try await blocking.run { try directory.remove() } } catch {
            logger.error("an ended lease's directory is left behind; remove it by hand", metadata: ["lease": "\(record.id)", "error": "\(error)"])
        }
        noteEnded(
            record.id, reason: reason, credentialSpecName: record.credentialSpecName, containerID: record.containerID,
            creator: record.creator, owner: record.owner, atStartUp: true)
    }

    /// The metric and the audit line of a lease that ended without a DELETE (a live one, or a
    /// record start-up discarded).
    private func noteEnded(
        _ id: LeaseID, reason: LeaseEnding, credentialSpecName: String?, containerID: String?, creator: UInt32, owner: LeaseOwner,
        atStartUp: Bool = false
    ) {
        Metrics.shared.increment("ccgd_leases_ended_total", ["reason": reason.label])
        var metadata: Logger.Metadata = [
            "lease": "\(id)", "reason": "\(reason)", "credspec": "\(credentialSpecName ?? "inline")",
            "container": "\(containerID ?? "")", "creator": "\(creator)", "owner": "\(owner.uid):\(owner.gid)",
        ]
        if atStartUp { metadata["at"] = "start-up" }
        logger.notice("lease ended", metadata: metadata)
    }

    /// Removes what deleted leases left under `root`, a front end's own layout of chosen lease
    /// directories (`root/<group>/<lease directory>`): a crash between a deletion's record and
    /// its files leaves them, keys and all, and the leases directory's sweep never looks there.
    /// Every directory two levels down that no lease uses is removed (through descriptors, no
    /// symlink followed), then each group it emptied. Call after `restore`; nothing is removed
    /// while a damaged journal copy is kept. Answers what could not be removed.
    package func removeDirectoriesWithoutLease(under root: String, groups isGroup: @escaping @Sendable (String) -> Bool) async -> [String] {
        guard !keepsDirectoriesWithoutRecord else { return [] }
        let used = Set(leases.values.map(\.directory))
        let swept = try? await blocking.run { () -> [String] in
            var problems: [String] = []
            guard let top = try? DirectoryHandle(opening: root) else { return [] }
            for group in (try? top.names()) ?? [] where isGroup(group) {
                let groupPath = root + "/" + group
                do {
                    let directory = try top.subdirectory(group)
                    for name in try directory.names() ?? [] where !used.contains(groupPath + "/" + name) {
                        do { try directory.remove(name) } catch { problems.append("\(error)") }
                    }
                } catch {
                    problems.append("\(error)")
                    continue
                }
                // Still holding a lease's directory (or something else): it stays.
                top.removeIfEmpty(group)
            }
            return problems
        }
        return swept ?? []
    }

    // MARK: - Records

    func record(of lease: Lease) -> LeaseRecord {
        let spec = lease.credentialSpec
        let json: String
        if let name = lease.credentialSpecName, let cached = recordJSON[name], cached.spec == spec {
            json = cached.json
        } else if lease.credentialSpecName == nil, let cached = inlineRecordJSON.first(where: { $0.spec == spec }) {
            json = cached.json
        } else {
            json = Self.recordJSON(of: spec)
            if let name = lease.credentialSpecName {
                recordJSON[name] = (spec, json)
            } else {
                // An inline CredSpec comes again with each task of the same definition (the ECS agent's).
                if inlineRecordJSON.count == 16 { inlineRecordJSON.removeFirst() }
                inlineRecordJSON.append((spec, json))
            }
        }
        let defaultDirectory = settings.leasesDirectory + "/" + lease.id.value
        return LeaseRecord(
            id: lease.id, credentialSpec: json, credentialSpecName: lease.credentialSpecName,
            owner: lease.owner, containerID: lease.containerID, mountPath: lease.mountPath, createdAt: lease.createdAt,
            creator: lease.creator, directory: lease.directory == defaultDirectory ? nil : lease.directory,
            creatorGID: lease.creatorGID, holder: lease.holder, expiresAt: lease.expiresAt,
            onBehalfOfOwner: lease.onBehalfOfOwner ? true : nil,
            frontEnd: lease.frontEnd == LeaseRequest.socketAPI ? nil : lease.frontEnd,
            fileAccess: lease.fileAccess == .owner ? nil : lease.fileAccess,
            frontEndDetails: lease.frontEndDetails.isEmpty ? nil : lease.frontEndDetails, kubernetesPod: lease.kubernetesPod?.description)
    }

    /// A recorded pod as the lease had it; text that does not read as `namespace/name` (a record
    /// edited by hand) still marks the lease as a pod's, so that the rule for pods applies to it.
    static func recordedPod(_ text: String) -> KubernetesPod {
        KubernetesPod(text: text) ?? KubernetesPod(namespace: KubernetesPod.unknown, name: KubernetesPod.unknown)
    }

    /// The CredSpec as stored: an inline plug-in's PluginInput (a password) is replaced by a marker.
    static func recordJSON(of spec: CredentialSpec) -> String {
        var stored = spec
        if spec.hostAccountConfig?.pluginGUID.normalized == InlinePlugin.guid,
            let redacted = try? spec.replacingPluginInput(.string(LeaseRecord.redactedPluginInput))
        {
            stored = redacted
        }
        return String(decoding: stored.jsonData(prettyPrinted: false), as: UTF8.self)
    }
}
