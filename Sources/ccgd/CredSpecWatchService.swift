import Configuration
import LeaseService
import Logging
import ServiceLifecycle
import Synchronization
import SystemSupport

/// Follows the CredSpec directory without a signal (`[daemon] watch-credspec-directory`, on by
/// default): in a Kubernetes pod the directory is a ConfigMap volume that the kubelet updates and
/// nobody sends SIGHUP. A settled burst of changes does what a reload does for CredSpecs and
/// nothing else: leases follow their changed CredSpecs or end with a removed one, and prefetch
/// takes the added and releases the removed. ccgd.conf is not read again and plug-ins are not
/// touched: a CredSpec names its plug-in and domain, which the configuration in force already
/// serves (a new plug-in or domain takes a reload either way).
final class CredSpecWatchService: Service, Sendable {
    private enum Event: Sendable {
        /// The directory changed (a settled burst).
        case changed
        /// A reload applied another configuration.
        case reconfigured
    }

    /// What the service follows of the configuration in force.
    private struct Settings: Sendable {
        var directory: String
        var watching: Bool
        var prefetch: PrefetchSettings?

        init(_ configuration: ServiceConfiguration) {
            directory = configuration.daemon.credSpecDirectory
            watching = configuration.daemon.watchCredSpecDirectory
            prefetch = configuration.prefetchSettings
        }
    }

    private let keeper: LeaseKeeper
    private let logger: Logger
    /// How long the directory must be quiet before a burst is followed.
    private let settle: Duration
    /// Shared with reloads: a change is followed between two reloads, never during one.
    private let queue: ApplyQueue
    /// The configuration followed, and what the directory held when it was last followed.
    private let state: Mutex<(settings: Settings, known: CredSpecDirectory.Contents)>
    private let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation

    /// After start-up's `RunningParts.apply`: the directory as it is now is what has been followed.
    init(keeper: LeaseKeeper, configuration: ServiceConfiguration, queue: ApplyQueue, settle: Duration = .seconds(1), logger: Logger) {
        self.keeper = keeper
        self.logger = logger
        self.settle = settle
        self.queue = queue
        let settings = Settings(configuration)
        state = Mutex((settings, CredSpecDirectory(path: settings.directory).contents()))
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
        // The first event sets the watch up for the configuration ccgd started with.
        continuation.yield(.reconfigured)
    }

    /// A reload applied `configuration` and followed the directory itself (called on the queue):
    /// later changes are told against what the directory holds now, and the watch moves to the
    /// directory `configuration` names, or stops.
    func use(_ configuration: ServiceConfiguration) {
        let settings = Settings(configuration)
        let contents = CredSpecDirectory(path: settings.directory).contents()
        state.withLock { $0 = (settings, contents) }
        continuation.yield(.reconfigured)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await self.follow()
        }
    }

    private func follow() async {
        var watch: DirectoryWatch?
        var watched: (directory: String, on: Bool)?
        defer { watch?.close() }
        for await event in events {
            switch event {
            case .reconfigured:
                let current = state.withLock { $0.settings }
                guard watched?.directory != current.directory || watched?.on != current.watching else { continue }
                watch?.close()
                watch = nil
                watched = (current.directory, current.watching)
                guard current.watching else {
                    logger.info("the CredSpec directory is not watched; a change takes a reload", metadata: ["directory": "\(current.directory)"])
                    continue
                }
                do {
                    let continuation = self.continuation
                    watch = try DirectoryWatch(path: current.directory, settle: settle) { continuation.yield(.changed) }
                    logger.info("watching the CredSpec directory: a change is followed without a reload", metadata: ["directory": "\(current.directory)"])
                } catch {
                    logger.error("\(error) ([daemon] watch-credspec-directory = no); until then a change takes a reload")
                }
            case .changed:
                await queue.run { await self.pickUp() }
            }
        }
    }

    /// Follows what changed since the directory was last followed, and logs it in one line.
    private func pickUp() async {
        let (current, known) = state.withLock { ($0.settings, $0.known) }
        let now = CredSpecDirectory(path: current.directory).contents()
        state.withLock { $0.known = now }
        let changes = CredSpecDirectory.Changes(from: known, to: now)
        guard !changes.isEmpty else { return }
        let (followed, ended) = await keeper.followCredSpecDirectory()
        await keeper.prefetch(current.prefetch)
        logger.notice(
            "CredSpec directory changed: \(changes)",
            metadata: [
                "directory": "\(current.directory)", "leases_followed": "\(followed)", "leases_ended": "\(ended)",
            ])
    }
}
