import Configuration
import Logging
import ServiceLifecycle
import SocketAPI
import Synchronization
import UnixSignals
import DirectoryPipeline
import LeaseService
import PluginHost

/// SIGHUP (`systemctl reload ccgd`): reads the configuration again and applies what can change
/// without a restart — plug-ins, domains, who may call and with how many connections, the
/// CredSpec directory, the log level — without dropping a lease or a connection. A broken file
/// changes nothing and says why. (A change of the CredSpec directory alone needs no reload:
/// `CredSpecWatchService`.)
final class ReloadService: Service, Sendable {
    let path: String
    let overrides: @Sendable (inout ServiceConfiguration) -> Void
    /// What the configuration applies to (`RunningParts.apply`, as at start-up).
    let parts: RunningParts
    /// Told each configuration applied: it watches the CredSpec directory that one names.
    let credSpecWatch: CredSpecWatchService
    /// Reloads and the CredSpec watch's changes, one at a time.
    let queue: ApplyQueue
    var keeper: LeaseKeeper { parts.keeper }
    let server: APIServer
    /// Every socket's connection shares (the API's, the ECS front end's).
    let connectionShares: [ConnectionShares]
    let health: ControllerHealth
    let notifier: SystemdNotifier
    let logger: Logger
    /// Trapped before the socket serves: a SIGHUP sent as soon as a client is answered is
    /// queued for the reload rather than ending the process (its default action).
    let signals: UnixSignalsSequence
    private let current: Mutex<ServiceConfiguration>

    init(
        path: String, overrides: @escaping @Sendable (inout ServiceConfiguration) -> Void, current: ServiceConfiguration,
        parts: RunningParts, credSpecWatch: CredSpecWatchService, queue: ApplyQueue, server: APIServer, connectionShares: [ConnectionShares],
        health: ControllerHealth,
        notifier: SystemdNotifier, logger: Logger, signals: UnixSignalsSequence
    ) {
        self.path = path
        self.signals = signals
        self.overrides = overrides
        self.current = Mutex(current)
        self.parts = parts
        self.credSpecWatch = credSpecWatch
        self.queue = queue
        self.server = server
        self.connectionShares = connectionShares
        self.health = health
        self.notifier = notifier
        self.logger = logger
    }

    func run() async throws {
        let signals = self.signals
        await cancelWhenGracefulShutdown {
            for await _ in signals {
                await self.reload()
            }
        }
    }

    func reload() async {
        await queue.run { await self.apply() }
    }

    private func apply() async {
        notifier.reloading()
        defer { Task { [self] in notifier.ready(status: await WatchdogService.status(keeper: keeper, health: health)) } }
        var configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration.load(path: path.isEmpty ? ServiceConfiguration.defaultPath : path)
        } catch {
            for problem in error.problems { logger.error("reload refused: \(problem)") }
            return
        }
        overrides(&configuration)
        let plugins: PluginRegistry
        do { plugins = try RunningParts.plugins(of: configuration, ecs: parts.ecs) } catch {
            for problem in error.problems { logger.error("reload refused: \(problem)") }
            return
        }
        let previous = current.withLock { $0 }
        for (key, old, new) in [
            ("socket", previous.daemon.socket, configuration.daemon.socket),
            ("runtime-directory", previous.daemon.runtimeDirectory, configuration.daemon.runtimeDirectory),
            ("state-directory", previous.daemon.stateDirectory, configuration.daemon.stateDirectory),
        ] where old != new {
            logger.warning("\(key) changes only with a restart; still using \(old)")
            switch key {
            case "socket": configuration.daemon.socket = old
            case "runtime-directory": configuration.daemon.runtimeDirectory = old
            default: configuration.daemon.stateDirectory = old
            }
        }
        if previous.metrics != configuration.metrics {
            // The listener is bound once, at start.
            logger.warning("[metrics] changes only with a restart; still using the [metrics] ccgd started with")
            configuration.metrics = previous.metrics
        }
        var listening = configuration.ecs
        (listening.leaseFiles, listening.accounts) = (previous.ecs.leaseFiles, previous.ecs.accounts)
        if previous.ecs != listening {
            // The ECS front end's socket, plug-in and directory are set up once, at start; only
            // who owns the files of the leases made from now on follows a reload.
            logger.warning(
                "[ecs] changes only with a restart, but for lease-uid, lease-gid, lease-mode and [ecs-gmsa]; still using the rest of the [ecs] ccgd started with"
            )
            (configuration.ecs.enabled, configuration.ecs.socket, configuration.ecs.socketMode, configuration.ecs.krbFilesDirectory) =
                (previous.ecs.enabled, previous.ecs.socket, previous.ecs.socketMode, previous.ecs.krbFilesDirectory)
        }
        let domains = Daemon.domains(configuration, health: health)
        do { try domains.writeKerberosConfiguration() } catch {
            logger.error("reload refused: cannot write the Kerberos configuration: \(error)")
            return
        }
        let ended: Int
        do {
            ended = try await parts.apply(
                configuration, plugins: plugins, domains: domains,
                at: .reload(policy: server.policy, connectionShares: connectionShares)
            ).ended
        } catch {
            // Only start-up's restore throws; said all the same should that ever change.
            logger.error("reload incomplete: \(error)")
            return
        }
        current.withLock { $0 = configuration }
        credSpecWatch.use(configuration)
        logger.notice(
            "configuration reloaded",
            metadata: [
                "plugins": "\(plugins.all.count)", "domains": "\(configuration.domains.count)", "leases_ended": "\(ended)",
            ])
    }
}
