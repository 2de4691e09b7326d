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
    private let settings: Mutex<Settings>
    private let events: AsyncStream<Event>
    private let continuation: AsyncStream<Event>.Continuation

    init(keeper: LeaseKeeper, configuration: ServiceConfiguration, settle: Duration = .seconds(1), logger: Logger) {
        self.keeper = keeper
        self.logger = logger
        self.settle = settle
        settings = Mutex(Settings(configuration))
        (events, continuation) = AsyncStream.makeStream(of: Event.self)
        // The first event sets the watch up for the configuration ccgd started with.
        continuation.yield(.reconfigured)
    }

    /// A reload applied `configuration` (and followed the directory itself): the watch moves to
    /// the directory it names, or stops, and later changes are told against what it holds now.
    func use(_ configuration: ServiceConfiguration) {
        settings.withLock { $0 = Settings(configuration) }
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
        var known = CredSpecDirectory.Contents()
        defer { watch?.close() }
        for await event in events {
            let current = settings.withLock { $0 }
            let directory = CredSpecDirectory(path: current.directory)
            switch event {
            case .reconfigured:
                known = directory.contents()
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
                let now = directory.contents()
                let changes = CredSpecDirectory.Changes(from: known, to: now)
                known = now
                guard !changes.isEmpty else { continue }
                let (followed, ended) = await keeper.followCredSpecDirectory()
                await keeper.prefetch(current.prefetch)
                logger.notice(
                    "CredSpec directory changed: \(changes)",
                    metadata: [
                        "directory": "\(current.directory)", "leases_followed": "\(followed)", "leases_ended": "\(ended)",
                    ])
            }
        }
    }
}
