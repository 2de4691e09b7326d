import CredSpec
import FoundationEssentials
import Logging

/// How the CredSpecs of the CredSpec directory are fetched ahead of their first lease.
public struct PrefetchSettings: Sendable, Equatable {
    /// Fetches of one domain that run at once.
    public var concurrencyPerDomain: Int
    /// The prefetch begins after a random pause up to this long, so that a fleet restarting at
    /// once does not reach its DCs at once.
    public var maximumDelay: Duration

    public init(concurrencyPerDomain: Int = 2, maximumDelay: Duration = .seconds(5)) {
        self.concurrencyPerDomain = max(1, concurrencyPerDomain)
        self.maximumDelay = maximumDelay
    }
}

/// How the prefetch of one named CredSpec goes, for `GET /v1/health`.
public struct PrefetchStatus: Sendable, Equatable {
    /// The CredSpec's name (its file without `.json`).
    public let credSpec: String
    /// `fresh`, `refreshing` (not fetched yet), `stale`, `failed` (retried with backoff), or
    /// `invalid` (the file is not a CredSpec: skipped).
    public let state: String
    public let lastError: String?
}

/// Fetches every CredSpec of the CredSpec directory in the background (at start and on reload)
/// and holds its accounts, so that the scheduler keeps them fresh and the first lease of a named
/// CredSpec is served from memory. A failure is logged and retried by the scheduler with backoff;
/// a file that is not a CredSpec is logged and skipped.
actor CredSpecPrefetch {
    private let accounts: AccountCache
    private let logger: Logger
    /// Each prefetched CredSpec's account keys, by name.
    private var planned: [String: [AccountKey]] = [:]
    /// Files of the directory that are not CredSpecs, with why, by name.
    private var invalid: [String: String] = [:]
    /// The round on its way: a new one (a reload) replaces it.
    private var round: Task<Void, Never>?

    init(accounts: AccountCache, logger: Logger) {
        self.accounts = accounts
        self.logger = logger
    }

    /// Prefetches the CredSpecs now in `directory` (nil: prefetch is off, and what was held for it
    /// is released) and returns the round, which runs on its own.
    func start(_ directory: CredSpecDirectory, settings: PrefetchSettings?) async -> Task<Void, Never> {
        round?.cancel()
        let previous = round
        let round = Task {
            await previous?.value
            await self.run(directory, settings: settings)
        }
        self.round = round
        return round
    }

    /// One status per CredSpec of the directory, sorted by name.
    func statuses() async -> [PrefetchStatus] {
        var result = invalid.map { PrefetchStatus(credSpec: $0.key, state: "invalid", lastError: $0.value) }
        for (name, keys) in planned {
            let (state, error) = await accounts.state(of: keys)
            result.append(PrefetchStatus(credSpec: name, state: state.rawValue, lastError: error))
        }
        return result.sorted { $0.credSpec < $1.credSpec }
    }

    private func run(_ directory: CredSpecDirectory, settings: PrefetchSettings?) async {
        guard let settings else {
            planned = await accounts.prefetch([:])
            invalid = [:]
            return
        }
        var specs: [String: CredentialSpec] = [:]
        var invalid: [String: String] = [:]
        for name in directory.names() {
            do { specs[name] = try directory.read(name) } catch {
                invalid[name] = "\(error)"
                logger.error("a file of the CredSpec directory is not a valid CredSpec; it is not prefetched", metadata: [
                    "file": "\(directory.path)/\(name).json", "error": "\(error)"])
            }
        }
        self.invalid = invalid
        planned = await accounts.prefetch(specs)
        if settings.maximumDelay > .zero {
            do { try await Task.sleep(for: .seconds(Double.random(in: 0...settings.maximumDelay.secondsValue))) } catch { return }
        }
        var due: [String: [(name: String, spec: CredentialSpec)]] = [:]
        for (name, spec) in specs.sorted(by: { $0.key < $1.key }) where await accounts.needsFetch(planned[name] ?? []) {
            due[spec.realm.uppercased(), default: []].append((name, spec))
        }
        await withTaskGroup(of: Void.self) { domains in
            for specs in due.values {
                domains.addTask { await self.fetch(specs, concurrency: settings.concurrencyPerDomain) }
            }
        }
    }

    /// Fetches the CredSpecs of one domain, `concurrency` at a time.
    private func fetch(_ specs: [(name: String, spec: CredentialSpec)], concurrency: Int) async {
        await withTaskGroup(of: Void.self) { running in
            var next = specs.makeIterator()
            for _ in 0..<concurrency {
                guard let item = next.next() else { break }
                running.addTask { await self.fetch(item.name, item.spec) }
            }
            for await _ in running {
                guard !Task.isCancelled, let item = next.next() else { continue }
                running.addTask { await self.fetch(item.name, item.spec) }
            }
        }
    }

    private func fetch(_ name: String, _ spec: CredentialSpec) async {
        guard !Task.isCancelled else { return }
        let started = ContinuousClock.now
        do {
            _ = try await accounts.credentials(for: spec)
            logger.info("prefetched", metadata: [
                "credspec": "\(name)", "seconds": "\((ContinuousClock.now - started).secondsValue)"])
        } catch {
            // Kept (its prefetch holds it) and retried by the scheduler with backoff.
            await accounts.failed(spec, error)
            logger.warning("prefetch failed; the scheduler retries it with backoff", metadata: [
                "credspec": "\(name)", "error": "\(error)"])
        }
    }
}
