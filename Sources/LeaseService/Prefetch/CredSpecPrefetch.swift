import CredSpec
import FoundationEssentials
import Logging
import DirectoryPipeline
import SystemBasics

/// Which named CredSpecs are fetched ahead of their first lease: least privilege, so only those
/// this node needs (a lease of it within `recentPeriod`, kept in `RecentCredSpecs`) and those the
/// operator opted in to (`[credspec "NAME"] prefetch = yes`). A cluster-wide CredSpec directory
/// then costs a node neither the fetches nor the keys of the gMSAs it does not run.
package struct PrefetchSettings: Sendable, Equatable {
    /// CredSpecs prefetched whatever this node did with them, by name without `.json`.
    package var eager: Set<String>
    /// CredSpecs with a lease on this node within this long before the start are prefetched (0: none).
    package var recentPeriod: TimeInterval

    package init(eager: Set<String> = [], recentPeriod: TimeInterval = 86_400) {
        self.eager = Set(eager.map(RecentCredSpecs.key))
        self.recentPeriod = recentPeriod
    }

    /// The names of `names` (the directory's) to prefetch, given the recently used ones: each
    /// opted in or used lately, in the directory's spelling and order.
    package func selection(of names: [String], recentlyUsed: [String]) -> [String] {
        let recent = Set(recentlyUsed.map(RecentCredSpecs.key))
        return names.filter { eager.contains(RecentCredSpecs.key($0)) || recent.contains(RecentCredSpecs.key($0)) }
    }
}

/// How the prefetch of one named CredSpec goes, for `GET /v1/health`.
package struct PrefetchStatus: Sendable, Equatable {
    /// The CredSpec's name (its file without `.json`).
    package let credSpec: String
    /// `fresh`, `refreshing` (not fetched yet), `stale`, `failed` (retried with backoff), or
    /// `invalid` (the file is not a CredSpec: skipped).
    package let state: String
    package let lastError: String?
}

/// Fetches the selected CredSpecs of the CredSpec directory in the background (at start and on
/// reload), each at a random moment of the spread window and through the pacing of background
/// fetches, and holds their accounts, so that the scheduler keeps them fresh and their first
/// lease is served from memory. A failure is logged and retried by the scheduler with backoff;
/// a file that is not a CredSpec is logged and skipped.
actor CredSpecPrefetch {
    private let accounts: AccountCache
    private let logger: Logger
    /// Each prefetched CredSpec's account keys, by name.
    private var planned: [String: [AccountKey]] = [:]
    /// Selected files of the directory that are not CredSpecs, with why, by name.
    private var invalid: [String: String] = [:]
    /// The round on its way: a new one (a reload) replaces it.
    private var round: Task<Void, Never>?

    init(accounts: AccountCache, logger: Logger) {
        self.accounts = accounts
        self.logger = logger
    }

    /// Prefetches the CredSpecs of `directory` that `settings` selects given `recentlyUsed` (nil
    /// settings: prefetch is off, and what was held for it is released), spread over `window`,
    /// and returns the round, which runs on its own.
    func start(_ directory: CredSpecDirectory, settings: PrefetchSettings?, recentlyUsed: [String], window: Duration) async -> Task<Void, Never> {
        round?.cancel()
        let previous = round
        let round = Task {
            await previous?.value
            await self.run(directory, settings: settings, recentlyUsed: recentlyUsed, window: window)
        }
        self.round = round
        return round
    }

    /// One status per selected CredSpec, sorted by name.
    func statuses() async -> [PrefetchStatus] {
        var result = invalid.map { PrefetchStatus(credSpec: $0.key, state: "invalid", lastError: $0.value) }
        for (name, keys) in planned {
            let (state, error) = await accounts.state(of: keys)
            result.append(PrefetchStatus(credSpec: name, state: state.rawValue, lastError: error))
        }
        return result.sorted { $0.credSpec < $1.credSpec }
    }

    private func run(_ directory: CredSpecDirectory, settings: PrefetchSettings?, recentlyUsed: [String], window: Duration) async {
        guard let settings else {
            planned = await accounts.prefetch([:])
            invalid = [:]
            return
        }
        var specs: [String: CredentialSpec] = [:]
        var invalid: [String: String] = [:]
        for name in settings.selection(of: directory.names(), recentlyUsed: recentlyUsed) {
            do { specs[name] = try directory.read(name) } catch {
                invalid[name] = "\(error)"
                logger.error(
                    "a file of the CredSpec directory is not a valid CredSpec; it is not prefetched",
                    metadata: [
                        "file": "\(directory.path)/\(name).json", "error": "\(error)",
                    ])
            }
        }
        self.invalid = invalid
        planned = await accounts.prefetch(specs)
        await withTaskGroup(of: Void.self) { fetches in
            for (name, spec) in specs.sorted(by: { $0.key < $1.key }) {
                let delay = window > .zero ? Duration.milliseconds(Int64.random(in: 0...Int64(window.secondsValue * 1000))) : .zero
                fetches.addTask {
                    if delay > .zero { do { try await Task.sleep(for: delay) } catch { return } }
                    await self.fetch(name, spec)
                }
            }
        }
    }

    private func fetch(_ name: String, _ spec: CredentialSpec) async {
        guard !Task.isCancelled, await accounts.needsFetch(planned[name] ?? []) else { return }
        let started = ContinuousClock.now
        do {
            _ = try await accounts.credentials(for: spec, priority: .background)
            logger.info(
                "prefetched",
                metadata: [
                    "credspec": "\(name)", "seconds": "\((ContinuousClock.now - started).secondsValue)",
                ])
        } catch {
            // Kept (its prefetch holds it) and retried by the scheduler with backoff.
            await accounts.failed(spec, error)
            logger.warning(
                "prefetch failed; the scheduler retries it with backoff",
                metadata: [
                    "credspec": "\(name)", "error": "\(error)",
                ])
        }
    }
}
