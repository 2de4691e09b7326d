import Configuration
import CredSpec
import DomainModel
import FoundationEssentials
import Glibc
import Kerberos
import Logging
import Observability
import PluginHost

/// The accounts leases use: fetched once for all of their leases (concurrent first requests share
/// one fetch), kept fresh as tickets age and AD rotates passwords, forgotten when no lease holds
/// them. Each due account is refreshed in a task of its own: a DC that hangs delays only its accounts.
package actor AccountCache {
    /// When accounts are fetched again, and how a failed refresh backs off.
    package struct Timings: Sendable {
        var policy = RefreshPolicy()
        /// Retry a failed refresh after this long, doubling up to `maximumRetry`.
        var firstRetry: TimeInterval = 30
        var maximumRetry: TimeInterval = 600
        /// How long a failed first fetch is answered from memory, doubling with each failure in a
        /// row (to a minute); a refused login's hold starts at `failedLoginHold`, doubling up to `maximumRetry`.
        var failedFetchHold: TimeInterval = 5
        var failedLoginHold: TimeInterval = 120

        package init(
            policy: RefreshPolicy = RefreshPolicy(), firstRetry: TimeInterval = 30, maximumRetry: TimeInterval = 600,
            failedFetchHold: TimeInterval = 5, failedLoginHold: TimeInterval = 120
        ) {
            (self.policy, self.firstRetry, self.maximumRetry) = (policy, firstRetry, maximumRetry)
            (self.failedFetchHold, self.failedLoginHold) = (failedFetchHold, failedLoginHold)
        }
    }

    /// A first fetch that failed, answered again until `retryAt`.
    private struct FailedFetch {
        let error: AccountError
        let retryAt: Date
        let failures: Int
    }

    private struct Entry {
        var credentials: AccountCredentials?
        /// The CredSpec to fetch it again with (its plug-in knows the portable user).
        var spec: CredentialSpec
        var state: AccountState = .refreshing
        var lastError: String?
        var failures = 0
        var retryAt: Date?
        var passwordRefreshAt: Date?
        var ticketRefreshAt: Date?
        /// The leases (and prefetches) that use it: without any, it is forgotten rather than kept fresh.
        var holders: Set<AccountHolder> = []
        var jitter = Double.random(in: 0...1)
        /// The DC that answered with an older kvno than the one held, and that kvno, once logged:
        /// a disagreement is logged once, and so is its end.
        var lagging: (controller: String?, kvno: UInt32)?

        /// When the scheduler must look at it next: after a failure, the retry (the missed
        /// refresh times stay in the past, so the retry does the same work).
        var dueAt: Date? {
            retryAt ?? [passwordRefreshAt, ticketRefreshAt].compactMap { $0 }.min()
        }
    }

    private let source: AccountSource
    private var timings: Timings
    private let now: @Sendable () -> Date
    private let logger: Logger
    private var entries: [AccountKey: Entry] = [:]
    /// First fetches on their way, which concurrent requests for the same account wait for.
    private var inFlight: [AccountKey: Task<AccountCredentials, Error>] = [:]
    /// Refreshes on their way: an account is never refreshed twice at once.
    private var refreshing: [AccountKey: Task<Void, Never>] = [:]
    /// The scheduler's pause, which the end of a refresh cuts short (its retry may be due soon).
    private var pause: (number: Int, continuation: CheckedContinuation<Void, Never>)?
    private var pauses = 0

    /// First fetches that failed, by account: asked for again before `retryAt`, the same error is
    /// answered at once, so that no caller can drive the DC (or a shared portable user towards
    /// AD's account lockout) with requests that must fail.
    private var failedFetches: [AccountKey: FailedFetch] = [:]

    /// The keys of the CredSpecs asked for last, newest last.
    private var recentKeys: [(spec: CredentialSpec, machine: String?, keys: [AccountKey])] = []

    /// How many directory fetches were started: the proof of coalescing.
    package private(set) var fetchCount = 0

    /// How many fetches of each domain run at once, and when a strained domain is left alone.
    package let pacing: FetchPacing

    package init(
        source: AccountSource, timings: Timings, logger: Logger, pacing: FetchPacing = FetchPacing(),
        now: @escaping @Sendable () -> Date
    ) {
        self.source = source
        self.timings = timings
        self.logger = logger
        self.pacing = pacing
        self.now = now
    }

    /// Refreshes planned from now on follow these timings (a reload).
    package func use(_ timings: Timings) {
        self.timings = timings
    }

    // MARK: - Fetching

    /// The cache keys of `spec`'s accounts, primary first, with the authority that reads them.
    package func keys(of spec: CredentialSpec) -> [AccountKey] {
        let machine = source.machineAccount(for: spec)
        // Every lease asks twice, and the authority digests the PluginInput: keep the last few
        // (a named CredSpec is one parsed value, whose comparison is quick).
        if let known = recentKeys.first(where: { $0.machine == machine && $0.spec == spec }) { return known.keys }
        let keys = AccountKey.keys(of: spec, machine: machine)
        if recentKeys.count == 16 { recentKeys.removeFirst() }
        recentKeys.append((spec, machine, keys))
        return keys
    }

    /// The credentials of every account of `spec`, fetching those not cached (one fetch for all
    /// of them, shared with concurrent callers). A `.background` fetch (prefetch, restored
    /// leases) waits for the domain's pacing first; an `.onDemand` one, a lease someone waits
    /// for, starts at once.
    package func credentials(for spec: CredentialSpec, priority: FetchPriority = .onDemand) async throws(AccountError) -> [AccountCredentials] {
        let keys = keys(of: spec)
        var missing = missing(keys)
        try rememberedFailure(of: missing)
        if !missing.isEmpty {
            await pacing.admit(priority, realm: spec.realm)
            // Meanwhile another caller may have fetched them, started to, or failed.
            missing = self.missing(keys)
            do throws(AccountError) { try rememberedFailure(of: missing) } catch {
                await pacing.release(realm: spec.realm)
                throw error
            }
            if missing.isEmpty {
                await pacing.release(realm: spec.realm)
            } else {
                try await fetch(missing, of: spec)
            }
        }
        var result: [AccountCredentials] = []
        for key in keys {
            if let cached = entries[key]?.credentials {
                result.append(cached)
            } else if let pending = inFlight[key] {
                do { result.append(try await pending.value) } catch { throw AccountError(error) }
            } else {
                throw .fetch(.directory(.accountNotFound(account: displayName(of: key), searchBase: key.realm)))
            }
        }
        return result
    }

    /// The keys of `keys` neither cached nor being fetched.
    private func missing(_ keys: [AccountKey]) -> [AccountKey] {
        keys.filter { entries[$0]?.credentials == nil && inFlight[$0] == nil }
    }

    /// Throws the failure remembered for any of `keys` until its retry time.
    private func rememberedFailure(of keys: [AccountKey]) throws(AccountError) {
        let time = now()
        if let remembered = keys.compactMap({ failedFetches[$0] }).filter({ $0.retryAt > time }).max(by: { $0.retryAt < $1.retryAt }) {
            Metrics.shared.increment("ccgd_account_fetches_avoided_total")
            throw .remembered(remembered.error, retryAt: remembered.retryAt)
        }
    }

    /// Fetches `missing` (admitted by the pacing, told when it ends), shared with concurrent callers.
    private func fetch(_ missing: [AccountKey], of spec: CredentialSpec) async throws(AccountError) {
        let names = missing.map { $0.spelling(in: spec) }
        let source = self.source
        let fetch = Task { try await source.fetch(accounts: names, of: spec) }
        fetchCount += 1
        for (index, key) in missing.enumerated() {
            inFlight[key] = Task { try await fetch.value[index] }
            if entries[key] == nil { entries[key] = Entry(spec: spec) }
        }
        let started = ContinuousClock.now
        do {
            let fetched = try await fetch.value
            await pacing.finished(realm: spec.realm, duration: ContinuousClock.now - started, strained: false)
            for (key, credentials) in zip(missing, fetched) { store(credentials, for: key) }
        } catch {
            await pacing.finished(realm: spec.realm, duration: ContinuousClock.now - started, strained: DomainControllerStrain.isStrain(error))
            let failure = AccountError(error)
            for key in missing {
                inFlight[key] = nil
                // A first fetch that failed leaves nothing to keep fresh unless a lease waits for it.
                if entries[key]?.credentials == nil && entries[key]?.holders.isEmpty ?? true { entries[key] = nil }
                remember(failure, for: key)
            }
            throw failure
        }
        for key in missing { inFlight[key] = nil }
    }

    /// Remembers that fetching `key` failed with `error`: the next try waits, longer after each
    /// failure in a row, and longest for a refused login (each one counts towards AD's lockout).
    private func remember(_ error: AccountError, for key: AccountKey) {
        let failures = (failedFetches[key]?.failures ?? 0) + 1
        let (first, longest): (TimeInterval, TimeInterval) =
            error.code == .authFailed
            ? (timings.failedLoginHold, max(timings.maximumRetry, timings.failedLoginHold))
            : (timings.failedFetchHold, max(timings.failedFetchHold, 60))
        let hold = min(first * pow(2, Double(failures - 1)), longest)
        failedFetches[key] = FailedFetch(error: error, retryAt: now().addingTimeInterval(hold), failures: failures)
    }

    /// Forgets the failed fetches of `authority`'s accounts (every account's when nil): its
    /// credentials changed (a reload, a new password from the ECS agent), so a new try may work.
    package func forgetFailures(of authority: AccountAuthority? = nil) {
        if let authority { failedFetches = failedFetches.filter { $0.key.authority != authority } } else { failedFetches = [:] }
    }

    /// The cached credentials of `keys` (nil while one is not fetched) and when the first of them is due.
    package func cached(_ keys: [AccountKey]) -> (credentials: [AccountCredentials]?, dueAt: Date?) {
        let credentials = keys.compactMap { entries[$0]?.credentials }
        return (credentials.count == keys.count ? credentials : nil, keys.compactMap { entries[$0]?.dueAt }.min())
    }

    /// Lease `id` uses `keys`; answers when the first of them is due.
    package func hold(_ keys: [AccountKey], for id: LeaseID) -> Date? {
        for key in keys { entries[key]?.holders.insert(.lease(id)) }
        return keys.compactMap { entries[$0]?.dueAt }.min()
    }

    /// Lease `id` no longer uses `keys`.
    package func release(_ keys: [AccountKey], for id: LeaseID) {
        for key in keys { entries[key]?.holders.remove(.lease(id)) }
    }

    /// The accounts of `spec` could not be fetched for a lease that stays (a restore): the
    /// scheduler fetches them again with backoff.
    package func failed(_ spec: CredentialSpec, _ error: Error) {
        for key in keys(of: spec) {
            if entries[key] == nil { entries[key] = Entry(spec: spec) }
            fail(key, error, at: now())
            if entries[key]?.credentials == nil { remember(AccountError(error), for: key) }
        }
    }

    /// The cached accounts as the API shows them; `credSpecNames` names each lease's CredSpec (inline ones have none).
    package func statuses(credSpecNames: [LeaseID: String] = [:]) -> [AccountStatus] {
        let source = self.source
        return entries.map { key, entry in
            let names = entry.holders.compactMap { holder -> String? in
                switch holder {
                case let .lease(id): credSpecNames[id].map(ServiceConfiguration.CredSpecAccess.plainName)
                case let .prefetch(name): name
                }
            }
            return AccountStatus(
                account: displayName(of: key), realm: key.realm,
                kvno: entry.credentials?.account.keyVersionNumber,
                enctypes: entry.credentials?.account.encryptionTypes.map(\.name) ?? [],
                fetchedAt: entry.credentials?.account.fetchedAt, refreshAt: entry.dueAt,
                leases: entry.holders.count(where: { if case .lease = $0 { true } else { false } }), state: entry.state,
                lastError: entry.lastError, prefetched: entry.holders.contains { if case .prefetch = $0 { true } else { false } },
                readBy: key.authority.reader(naming: source.pluginName), credSpecs: Set(names).sorted())
        }.sorted { ($0.realm, $0.account, $0.credSpecs.joined(separator: ",")) < ($1.realm, $1.account, $1.credSpecs.joined(separator: ",")) }
    }

    /// How an account is written everywhere ccgd shows it (logs, errors, the API): the directory's
    /// sAMAccountName once fetched, else the CredSpec's spelling, with `$`.
    private func displayName(of key: AccountKey) -> String {
        if let fetched = entries[key]?.credentials?.account.samAccountName { return fetched }
        return AccountName(entries[key].map { key.spelling(in: $0.spec) } ?? key.name).samAccountName
    }

    // MARK: - Prefetch

    /// The named CredSpecs prefetched from now on, with the keys of their accounts: each holds its
    /// accounts (made here, fetched by `credentials(for:)` or the scheduler) as a lease would; one
    /// no longer named releases them. Returns the keys of each.
    @discardableResult
    package func prefetch(_ specs: [String: CredentialSpec]) -> [String: [AccountKey]] {
        let planned = specs.mapValues { keys(of: $0) }
        for (key, var entry) in entries {
            entry.holders = entry.holders.filter { holder in
                guard case let .prefetch(name) = holder else { return true }
                return planned[name]?.contains(key) ?? false
            }
            // Never fetched and now held by nobody: nothing would ever forget it.
            entries[key] = entry.holders.isEmpty && entry.credentials == nil && inFlight[key] == nil ? nil : entry
        }
        for (name, keys) in planned {
            for key in keys {
                if entries[key] == nil { entries[key] = Entry(spec: specs[name]!) }
                entries[key]?.holders.insert(.prefetch(name))
            }
        }
        return planned
    }

    /// Makes entries for `spec`'s accounts that are not known yet, to be fetched later in the
    /// background (a restored lease's): leases can hold them meanwhile. Answers their keys.
    @discardableResult
    package func expect(_ spec: CredentialSpec) -> [AccountKey] {
        let keys = keys(of: spec)
        for key in keys where entries[key] == nil { entries[key] = Entry(spec: spec) }
        return keys
    }

    /// Whether a prefetch should fetch `keys` now: one is not cached and no retry is planned for it
    /// (a failed one is the scheduler's, with its backoff).
    package func needsFetch(_ keys: [AccountKey]) -> Bool {
        keys.contains { entries[$0].map { $0.credentials == nil && $0.retryAt == nil } ?? true }
    }

    /// The least fresh state of `keys` and its error (for the prefetch's health detail).
    package func state(of keys: [AccountKey]) -> (state: AccountState, lastError: String?) {
        let order: [AccountState] = [.failed, .stale, .refreshing, .fresh]
        let states = keys.map { entries[$0].map { ($0.state, $0.lastError) } ?? (.refreshing, nil) }
        return states.min { order.firstIndex(of: $0.0)! < order.firstIndex(of: $1.0)! } ?? (.fresh, nil)
    }

    private func store(_ credentials: AccountCredentials, for key: AccountKey) {
        failedFetches[key] = nil
        // The entry was made with the CredSpec that started the fetch; a lease deleted meanwhile may have dropped it.
        guard var entry = entries[key] else { return }
        entry.credentials = credentials
        entry.state = .fresh
        entry.lastError = nil
        entry.failures = 0
        entry.retryAt = nil
        entry.passwordRefreshAt = timings.policy.passwordRefresh(for: credentials.account, jitter: entry.jitter)
        entry.ticketRefreshAt = timings.policy.ticketRefresh(credentials.ticket, now: now())
        let lifetime = credentials.ticket.endTime.timeIntervalSince(credentials.ticket.startTime)
        if lifetime < timings.policy.minimumTicketInterval * 2 {
            logger.warning(
                "the KDC issued a ticket that lives only briefly; renewals are spaced to protect it",
                metadata: [
                    "account": "\(credentials.account.samAccountName)", "lifetime_seconds": "\(Int(lifetime))",
                    "hint": "check the domain's maximum ticket lifetime and the clocks of this host and the DC",
                ])
        }
        entries[key] = entry
    }

    // MARK: - Refresh

    /// The earliest time an account not being refreshed needs attention.
    package func nextDue() -> Date? {
        entries.filter { refreshing[$0.key] == nil }.values.compactMap(\.dueAt).min()
    }

    /// Refreshes every account due at `time` and returns when all are done; `changed` is told
    /// of each account whose credentials changed, before its refresh counts as done.
    package func refreshDue(at time: Date, changed: @escaping @Sendable (AccountKey) async -> Void) async {
        for refresh in startRefreshes(at: time, changed: changed) { await refresh.value }
    }

    /// Reads the password of every account held by a lease and fetched through `authority` again
    /// now, whatever its refresh times (its plug-in's credentials changed: the ECS agent renewed
    /// a portable user's password), after any refresh of it already on its way. Answers the keys
    /// refreshed and the first failure; `changed` is told of each account as in `refreshDue`.
    package func refreshNow(
        fetchedThrough authority: AccountAuthority,
        changed: @escaping @Sendable (AccountKey) async -> Void
    ) async -> (keys: [AccountKey], failure: AccountError?) {
        let keys = entries.filter { $0.key.authority == authority && !$0.value.holders.isEmpty }.map(\.key)
            .sorted { ($0.realm, $0.name) < ($1.realm, $1.name) }
        var failure: AccountError?
        for key in keys {
            while let running = refreshing[key] { await running.value }
            let refresh = Task { await self.refresh(key, at: now(), readingPassword: true, changed: changed) }
            refreshing[key] = Task { _ = await refresh.value }
            if let error = await refresh.value, failure == nil { failure = error }
        }
        return (keys, failure)
    }

    /// Starts a refresh of every account due at `time` that is not being refreshed already, each
    /// in a task of its own, and returns them without waiting.
    @discardableResult
    package func startRefreshes(at time: Date, changed: @escaping @Sendable (AccountKey) async -> Void) -> [Task<Void, Never>] {
        let due = entries.filter { refreshing[$0.key] == nil && ($0.value.dueAt ?? .distantFuture) <= time }.map(\.key)
        return due.map { key in
            let refresh = Task { _ = await self.refresh(key, at: time, changed: changed) }
            refreshing[key] = refresh
            return refresh
        }
    }

    /// Returns when the next account falls due (`cap` seconds at most), when a refresh ends (it
    /// may have planned a retry sooner), or when the task is cancelled. For the one scheduler:
    /// the wait is computed and the pause begun in one turn, so that no refresh's end is missed.
    package func pauseUntilNextDue(cap: Double) async {
        let seconds = max(0, min((nextDue() ?? .distantFuture).timeIntervalSince(now()), cap))
        guard seconds > 0 else { return }
        pauses += 1
        let number = pauses
        let timer = Task {
            try? await Task.sleep(for: .milliseconds(Int(seconds * 1000)))
            self.endPause(number)
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled { continuation.resume() } else { pause = (number, continuation) }
            }
        } onCancel: {
            Task { await self.endPause(number) }
        }
        timer.cancel()
    }

    /// Ends the scheduler's pause `number` (nil: whichever is on).
    private func endPause(_ number: Int? = nil) {
        guard let pause, number == nil || pause.number == number else { return }
        self.pause = nil
        pause.continuation.resume()
    }

    /// Stops the refreshes on their way (a shutdown).
    package func cancelRefreshes() {
        for refresh in refreshing.values { refresh.cancel() }
    }

    /// A new password read when the unchanged interval ends, a new TGT when the ticket ages. A
    /// failure keeps the old (still valid) credentials and retries with backoff.
    /// `force`: read the password now, whatever the refresh times say. Answers the failure, if any.
    @discardableResult
    private func refresh(
        _ key: AccountKey, at time: Date, readingPassword force: Bool = false,
        changed: @Sendable (AccountKey) async -> Void
    ) async -> AccountError? {
        defer {
            refreshing[key] = nil
            endPause()
        }
        guard entries[key] != nil else { return nil }
        // A scheduled refresh is background work and waits for the domain's pacing (its leases keep
        // valid files meanwhile); a forced one answers a caller who waits (the ECS agent's renewal).
        await pacing.admit(force ? .onDemand : .background, realm: key.realm)
        guard var entry = entries[key] else {
            await pacing.release(realm: key.realm)
            return nil
        }
        if entry.holders.isEmpty {
            // Nobody uses it any more: forget its keys rather than keep them fresh.
            entries[key] = nil
            await pacing.release(realm: key.realm)
            return nil
        }
        let passwordDue = force || entry.credentials == nil || (entry.passwordRefreshAt ?? .distantFuture) <= time
        entry.state = .refreshing
        entries[key] = entry
        let started = ContinuousClock.now
        do {
            let renewed: AccountCredentials
            if passwordDue || entry.credentials == nil {
                fetchCount += 1
                let name = entry.credentials?.account.samAccountName ?? key.spelling(in: entry.spec)
                guard let fetched = try await source.fetch(accounts: [name], of: entry.spec).first else {
                    throw AccountError.fetch(.directory(.accountNotFound(account: displayName(of: key), searchBase: key.realm)))
                }
                renewed = try keepingNewestKeys(fetched, for: key)
            } else {
                renewed = try await source.renewTicket(entry.credentials!)
            }
            await pacing.finished(realm: key.realm, duration: ContinuousClock.now - started, strained: false)
            let previousKVNO = entries[key]?.credentials?.account.keyVersionNumber
            store(renewed, for: key)
            if let previousKVNO, previousKVNO != renewed.account.keyVersionNumber {
                logger.notice(
                    "password rotated",
                    metadata: [
                        "account": "\(renewed.account.samAccountName)", "kvno": "\(renewed.account.keyVersionNumber)",
                        "previous_kvno": "\(previousKVNO)",
                    ])
            }
            await changed(key)
            return nil
        } catch {
            await pacing.finished(realm: key.realm, duration: ContinuousClock.now - started, strained: DomainControllerStrain.isStrain(error))
            fail(key, error, at: time)
            return AccountError(error)
        }
    }

    /// A read from a DC that has not yet replicated a rotation (an older kvno than the one held)
    /// keeps the newest keys and adds that DC's (see `KeyVersionMerge`); the disagreement is
    /// logged once, and so is the agreement after it.
    private func keepingNewestKeys(_ read: AccountCredentials, for key: AccountKey) throws(AccountFetchError) -> AccountCredentials {
        guard var entry = entries[key], let held = entry.credentials else { return read }
        let merge = KeyVersionMerge.merge(held: held.account, read: read.account)
        defer { entries[key] = entry }
        guard let lagging = merge.lagging else {
            // The DC that lagged answers with the newest kvno, or the domain rotated again.
            if let before = entry.lagging,
                read.account.keyVersionNumber > held.account.keyVersionNumber || before.controller == read.account.readFrom
            {
                entry.lagging = nil
                logger.notice(
                    "domain controllers agree on the password again",
                    metadata: [
                        "account": "\(read.account.samAccountName)", "kvno": "\(read.account.keyVersionNumber)",
                        "controller": "\(read.account.readFrom ?? "unknown")",
                    ])
            }
            guard merge.account.retainedKeys != read.account.retainedKeys else { return read }
            return try read.holding(merge.account)
        }
        if entry.lagging?.controller != read.account.readFrom || entry.lagging?.kvno != lagging.read {
            entry.lagging = (read.account.readFrom, lagging.read)
            logger.notice(
                "a domain controller still has an older password (replication pending); the keytab keeps the newest keys and adds that controller's",
                metadata: [
                    "account": "\(read.account.samAccountName)", "kvno": "\(lagging.held)", "controller_kvno": "\(lagging.read)",
                    "controller": "\(read.account.readFrom ?? "unknown")",
                ])
        }
        // Lagging by one rotation, the keys held are already the right ones: only the ticket is new.
        if merge.account.retainedKeys == held.account.retainedKeys {
            return AccountCredentials(account: merge.account, keytab: held.keytab, ticketCache: read.ticketCache, ticket: read.ticket)
        }
        return try read.holding(merge.account)
    }

    private func fail(_ key: AccountKey, _ error: Error, at time: Date) {
        guard var entry = entries[key] else { return }
        entry.failures += 1
        let delay = min(timings.firstRetry * pow(2, Double(entry.failures - 1)), timings.maximumRetry)
        entry.retryAt = time.addingTimeInterval(delay * Double.random(in: 0.8...1.2))
        let ticketValid = (entry.credentials?.ticket.endTime ?? .distantPast) > time
        entry.state = ticketValid ? .stale : .failed
        entry.lastError =
            (error is AccountError || error is PluginHostError || error is AccountFetchError)
            ? "\(AccountError(error))" : "\(error)"
        entries[key] = entry
        Metrics.shared.increment("ccgd_refresh_failures_total")
        logger.warning(
            "refresh failed; the leases keep their current files",
            metadata: [
                "account": "\(displayName(of: key))", "realm": "\(key.realm)", "error": "\(entry.lastError ?? "")",
                "retry_at": "\(entry.retryAt!.formatted(.iso8601))",
            ])
    }
}
