import CCGPlugin
import Configuration
import ContainerRequest
import Directory
import DurableFiles
import CSIFrontEnd
import ECSFrontEnd
import FoundationEssentials
import Kerberos
import Logging
import ServiceLifecycle
import SocketAPI
import UnixSignals
import Glibc
import DirectoryPipeline
import LeaseService
import PluginHost
import SystemBasics

/// Wires the configuration to the lease keeper and the socket API, tells systemd how it goes,
/// and runs until SIGTERM; SIGHUP reloads the configuration.
struct Daemon {
    let configuration: ServiceConfiguration
    let overrides: @Sendable (inout ServiceConfiguration) -> Void

    func run() async throws {
        JournalLogHandler.level.withLock { $0 = Logger.Level(rawValue: configuration.daemon.logLevel) ?? .info }
        LoggingSystem.bootstrap { JournalLogHandler(label: $0) }
        let logger = Logger(label: "ccgd")
        let notifier = SystemdNotifier()
        if configuration.sourceFile.isEmpty {
            // Defaults decide where the socket, the journal and the lease directories go: say so.
            logger.warning(
                "no configuration file \(ServiceConfiguration.defaultPath): running on built-in defaults (docs/ccgd.conf.example lists them); create the file or start ccgd with --config FILE",
                metadata: [
                    "socket": "\(configuration.daemon.socket)", "state_directory": "\(configuration.daemon.stateDirectory)",
                    "runtime_directory": "\(configuration.daemon.runtimeDirectory)",
                ])
        }
        // Keys live in this process's memory: keep them out of core dumps, and files private by default.
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
        umask(0o077)
        // Every connection is a descriptor: systemd's default soft limit (1024) is below what
        // [daemon] allows; raise it to the hard limit, as systemd's documentation asks of services.
        var files = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &files) == 0, files.rlim_cur < files.rlim_max {
            files.rlim_cur = min(files.rlim_max, 1 << 16)
            _ = setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &files)
        }

        let daemon = configuration.daemon
        // One ccgd per state and runtime directory, claimed before anything in them is read or
        // written: a second one would replace the journal and sweep the first one's leases.
        let claims: [DirectoryLock], runtime: RuntimeDirectory
        do {
            let state = try DirectoryLock(claiming: daemon.stateDirectory, purpose: "state directory")
            runtime = try RuntimeDirectory(checking: daemon.runtimeDirectory)
            claims = [state, try DirectoryLock(claiming: runtime.path, purpose: "runtime directory")]
            try runtime.prepare()
        } catch {
            logger.critical("\(error)")
            throw ExitCodeError.configuration
        }
        defer { withExtendedLifetime(claims) {} }
        let scratch = runtime.privateDirectory

        let health = ControllerHealth()
        let domains = Self.domains(configuration, health: health)
        try domains.writeKerberosConfiguration()
        // Once, before any Kerberos work: reloads and DNS discoveries only rewrite the file.
        ProcessKerberosConfiguration.point(at: runtime.kerberosConfiguration)
        let ecsFrontEnd = ECSFrontEndSetup(configuration.ecs)
        let plugins = try RunningParts.plugins(of: configuration, ecs: ecsFrontEnd)
        let source = DirectoryAccountSource(plugins: plugins, scratch: scratch, domains: domains, health: health)
        var settings = LeaseKeeper.Settings(
            runtimeDirectory: daemon.runtimeDirectory, journal: LeaseJournal(directory: daemon.stateDirectory),
            credSpecs: CredSpecDirectory(path: daemon.credSpecDirectory)
        ) { realm, mountPath in
            let inside = LeaseLayout(mountPath: mountPath)
            return KerberosConfiguration(
                defaultRealm: realm, realms: source.domains.kerberosConfiguration().realms.filter { $0.name == realm },
                defaultCredentialsCache: inside.ticketCachePath, defaultKeytab: inside.keytabPath)
        }
        // The ECS agent's passwords serve its own requests only, never a CredSpec sent to the socket API.
        settings.reservedPlugins = [ProvidedCredentials.guid]
        let keeper = LeaseKeeper(settings: settings, source: source, logger: Logger(label: "ccgd.leases"))
        let parts = RunningParts(source: source, keeper: keeper, ecs: ecsFrontEnd, logger: logger)
        let restored: Int
        do { restored = try await parts.apply(configuration, plugins: plugins, domains: domains, at: .startUp).restored } catch {
            logger.critical("\(error)")
            throw ExitCodeError.configuration
        }

        var serverSettings = APIServer.Settings(socketPath: daemon.socket, policy: Self.policy(configuration))
        serverSettings.socketMode = mode_t(daemon.socketMode)
        serverSettings.connections = daemon.connectionLimits
        if let group = daemon.socketGroup {
            guard let entry = getgrnam(group) else {
                logger.critical("socket-group \(group) does not exist; create it or change [daemon] socket-group")
                throw ExitCodeError.configuration
            }
            serverSettings.socketGroup = entry.pointee.gr_gid
        }
        // Trapped before the socket answers anyone: a reload or a stop asked for as soon as a
        // client is served must not meet the signals' default action (the end of the process).
        let reloadSignals = await UnixSignalsSequence(trapping: .sighup)
        let shutdownSignals = await UnixSignalsSequence(trapping: .sigterm, .sigint)
        let router = APIRouter(keeper: keeper, health: health)
        let inherited = SystemdNotifier.inheritedListeners()
        let server = try await APIServer.start(
            serverSettings, router: router, inheritedDescriptor: inherited.api,
            logger: logger)
        let ecs = try ecsFrontEnd.server(
            keeper: keeper, policy: server.policy, connections: daemon.connectionLimits, source: source,
            inheritedDescriptor: inherited.ecs, logger: logger)
        let csi: CSIServer?
        do {
            csi = try CSIFrontEndSetup.server(configuration.csi, keeper: keeper, policy: server.policy, health: health, logger: Logger(label: "ccgd.csi"))
        } catch {
            logger.critical("the CSI front end cannot start: \(error)")
            await server.shutdown()
            throw ExitCodeError.configuration
        }
        var metricsListener: MetricsListener?
        if let endpoint = configuration.metrics.listen {
            do { metricsListener = try await MetricsListener.start(host: endpoint.host, port: endpoint.port, router: router, logger: logger) } catch {
                logger.critical("\(error)")
                await server.shutdown()
                throw ExitCodeError.configuration
            }
        }

        let queue = ApplyQueue()
        let credSpecWatch = CredSpecWatchService(keeper: keeper, configuration: configuration, queue: queue, logger: Logger(label: "ccgd.credspecs"))
        let reload = ReloadService(
            path: configuration.sourceFile, overrides: overrides, current: configuration, parts: parts, credSpecWatch: credSpecWatch, queue: queue,
            server: server, connectionShares: [server.shares] + (ecs.map { [$0.shares] } ?? []), health: health, notifier: notifier,
            logger: Logger(label: "ccgd.reload"),
            signals: reloadSignals)
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: APIService(server: server, keeper: keeper, notifier: notifier)),
            .init(service: RefreshService(keeper: keeper)),
            .init(service: ControllerProbeService(prober: ControllerProber(health: health))),
            .init(service: LeaseExpiryService(keeper: keeper)),
            .init(service: WatchdogService(socket: daemon.socket, keeper: keeper, health: health, notifier: notifier)),
            .init(service: reload),
            .init(service: credSpecWatch),
        ]
        if let ecs { services.append(.init(service: ECSService(server: ecs))) }
        if let csi { services.append(.init(service: CSIService(server: csi, logger: Logger(label: "ccgd.csi")))) }
        if let metricsListener { services.append(.init(service: MetricsService(listener: metricsListener))) }
        let group = ServiceGroup(configuration: .init(services: services, logger: logger))
        // The group remembers a shutdown asked for before it runs; the stream kept what came meanwhile.
        let shutdown = Task {
            for await _ in shutdownSignals { await group.triggerGracefulShutdown() }
        }
        defer { shutdown.cancel() }
        logger.info(
            "ready",
            metadata: [
                "socket": "\(daemon.socket)", "leases": "\(restored)",
                "ecs_socket": "\(configuration.ecs.enabled ? configuration.ecs.socket : "off")",
                "csi_socket": "\(configuration.csi.enabled ? configuration.csi.socketPath : "off")",
            ])
        notifier.ready(status: await WatchdogService.status(keeper: keeper, health: health))
        try await group.run()
        logger.info("stopped")
    }

    static func domains(_ configuration: ServiceConfiguration, health: ControllerHealth) -> Domains {
        Domains(
            configured: Dictionary(configuration.domains.map { ($0.realm, DomainSettings($0)) }, uniquingKeysWith: { $1 }),
            locator: DomainControllerLocator(nameservers: configuration.daemon.dnsServers, site: configuration.daemon.site),
            kerberosConfigurationPath: RuntimeDirectory.kerberosConfiguration(in: configuration.daemon.runtimeDirectory), health: health)
    }

    /// Why a lease may no longer be held under `configuration`, by the rules of the front end
    /// that made it: what start-up and every reload check of each lease.
    static func leaseRefusal(_ configuration: ServiceConfiguration) -> @Sendable (Lease) -> String? {
        let policy = policy(configuration)
        return { lease in
            let creator = PeerCredentials(pid: 0, uid: lease.creator, gid: lease.creatorGID ?? 0)
            // A pod's container's lease, whichever front end made it.
            if let refusal = policy.podRefusal(toKeep: lease) { return refusal }
            switch lease.frontEnd {
            case CredentialsFetcherService.frontEnd: return CredentialsFetcherService.refusal(toKeep: lease, policy: policy)
            case CSINodeService.frontEnd: return CSINodeService.refusal(toKeep: lease, policy: policy)
            default: return LeaseAuthorization(policy: policy, peer: creator).refusal(toKeep: lease)
            }
        }
    }

    static func policy(_ configuration: ServiceConfiguration) -> PeerPolicy {
        let daemon = configuration.daemon
        return PeerPolicy(
            allowedUIDs: Set(daemon.allowedUIDs), allowedGIDs: Set(daemon.allowedGIDs),
            allowInlineCredSpecs: daemon.allowInlineCredSpecs, callers: configuration.callers,
            credSpecs: configuration.credSpecAccess)
    }
}

extension ServiceConfiguration.Daemon {
    /// The connection shares of each socket.
    var connectionLimits: ConnectionLimits {
        ConnectionLimits(total: maxConnections, rootReserve: rootReservedConnections, perUID: maxConnectionsPerUID)
    }

}

extension ServiceConfiguration {
    /// Which named CredSpecs are prefetched; nil when none is.
    var prefetchSettings: PrefetchSettings? {
        guard daemon.prefetch else { return nil }
        return PrefetchSettings(eager: Set(credSpecAccess.filter(\.prefetch).map(\.name)), recentPeriod: daemon.prefetchRecent.secondsValue)
    }

    /// How background fetches are spread and bounded. Restored leases wait at most half of the
    /// shortest life their tickets may have left (the configured life past its renewal point).
    var backgroundFetchSettings: BackgroundFetchSettings {
        var restoreWindow = daemon.prefetchWindow
        if let lifetime = refresh.ticketLifetime {
            restoreWindow = min(restoreWindow, lifetime * ((1 - refresh.ticketRenewal) / 2))
        }
        return BackgroundFetchSettings(window: daemon.prefetchWindow, restoreWindow: restoreWindow, perDomain: daemon.prefetchConcurrency)
    }

    /// How many leases each caller may hold and what the runtime directory keeps free.
    var leaseLimits: LeaseLimits {
        LeaseLimits(
            perCaller: daemon.maximumLeasesPerCaller, root: nil,
            callers: Dictionary(callers.compactMap { caller in caller.maximumLeases.map { (caller.uid, $0) } }, uniquingKeysWith: { $1 }),
            reserve: StorageReserve(percent: daemon.runtimeReservePercent))
    }
}

enum ExitCodeError: Error {
    case configuration
}

/// Serves the API until shutdown, then stops taking leases and lets requests in flight finish.
struct APIService: Service {
    let server: APIServer
    let keeper: LeaseKeeper
    let notifier: SystemdNotifier

    func run() async throws {
        try? await gracefulShutdown()
        notifier.stopping()
        await keeper.stopAccepting()
        await server.shutdown()
    }
}

/// Serves `/metrics` over TCP until shutdown.
struct MetricsService: Service {
    let listener: MetricsListener

    func run() async throws {
        try? await gracefulShutdown()
        await listener.shutdown()
    }
}

/// Ends leases as their time runs out, until shutdown.
struct LeaseExpiryService: Service {
    let keeper: LeaseKeeper

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await keeper.runExpiries()
        }
    }
}

/// Keeps every lease fresh until shutdown.
/// Probes the DCs recorded failed until they answer again (see `ControllerProber`).
struct ControllerProbeService: Service {
    let prober: ControllerProber

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await prober.run()
        }
    }
}

struct RefreshService: Service {
    let keeper: LeaseKeeper

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await keeper.runScheduler()
        }
    }
}
