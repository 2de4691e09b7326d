import CCGPlugin
import Configuration
import CredentialGuard
import Directory
import DurableFiles
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Kerberos
import Logging
import ServiceLifecycle
import SocketAPI

/// Wires the configuration to the lease keeper and the socket API, and runs them until a signal.
struct Daemon {
    let configuration: ServiceConfiguration

    func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = Logger.Level(rawValue: configuration.daemon.logLevel) ?? .info
            return handler
        }
        let logger = Logger(label: "ccgd")
        // Keys live in this process's memory: keep them out of core dumps, and files private by default.
        var noCore = rlimit(rlim_cur: 0, rlim_max: 0)
        _ = setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &noCore)
        umask(0o077)

        let daemon = configuration.daemon
        let scratch = daemon.runtimeDirectory + "/private"
        for (path, mode) in [(daemon.runtimeDirectory, 0o755), (scratch, 0o700), (daemon.runtimeDirectory + "/leases", 0o755)] {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true, attributes: [.posixPermissions: mode])
            chmod(path, mode_t(mode))
        }

        // libkrb5 and GSS-API read one configuration per process: ours, made from [domain] sections
        // and rewritten as DNS finds the DCs of other realms.
        let health = ControllerHealth()
        let domains = Domains(
            configured: Dictionary(configuration.domains.map { ($0.realm, DomainSettings($0)) }, uniquingKeysWith: { $1 }),
            locator: DomainControllerLocator(nameservers: daemon.dnsServers),
            kerberosConfigurationPath: daemon.runtimeDirectory + "/krb5.conf", health: health)
        try domains.writeKerberosConfiguration()

        let plugins = try PluginRegistry(configuration: configuration, logger: Logger(label: "ccgd.plugins"))
        let source = DirectoryAccountSource(plugins: plugins, scratch: scratch, domains: domains, health: health)
        var settings = LeaseKeeper.Settings(
            runtimeDirectory: daemon.runtimeDirectory, journal: LeaseJournal(directory: daemon.stateDirectory),
            credSpecs: CredSpecDirectory(path: daemon.credSpecDirectory)
        ) { realm, mountPath in
            let inside = mountPath.hasSuffix("/") ? String(mountPath.dropLast()) : mountPath
            return KerberosConfiguration(
                defaultRealm: realm,
                realms: domains.kerberosConfiguration().realms.filter { $0.name == realm },
                defaultCredentialsCache: inside + "/krb5cc", defaultKeytab: inside + "/krb5.keytab")
        }
        settings.policy = RefreshPolicy()
        let keeper = LeaseKeeper(settings: settings, source: source, logger: Logger(label: "ccgd.leases"))
        let restored: Int
        do { restored = try await keeper.restore() } catch {
            logger.critical("\(error)")
            throw ExitCodeError.configuration
        }
        logger.info("restored leases", metadata: ["count": "\(restored)"])

        var serverSettings = APIServer.Settings(
            socketPath: daemon.socket,
            policy: PeerPolicy(allowedUIDs: Set(daemon.allowedUIDs), allowedGIDs: Set(daemon.allowedGIDs)))
        serverSettings.socketMode = mode_t(daemon.socketMode)
        if let group = daemon.socketGroup {
            guard let entry = getgrnam(group) else {
                logger.critical("socket-group \(group) does not exist; create it or change [daemon] socket-group")
                throw ExitCodeError.configuration
            }
            serverSettings.socketGroup = entry.pointee.gr_gid
        }
        let router = APIRouter(keeper: keeper, health: health)
        let server = try await APIServer.start(serverSettings, router: router, logger: logger)

        let group = ServiceGroup(configuration: .init(
            services: [
                .init(service: APIService(server: server, keeper: keeper)),
                .init(service: RefreshService(keeper: keeper)),
            ],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger))
        logger.info("ready", metadata: ["socket": "\(daemon.socket)", "leases": "\(restored)"])
        try await group.run()
        logger.info("stopped")
    }
}

enum ExitCodeError: Error {
    case configuration
}

/// Serves the API until shutdown, then stops taking leases and lets requests in flight finish.
struct APIService: Service {
    let server: APIServer
    let keeper: LeaseKeeper

    func run() async throws {
        try? await gracefulShutdown()
        await keeper.stopAccepting()
        await server.shutdown()
    }
}

/// Keeps every lease fresh until shutdown.
struct RefreshService: Service {
    let keeper: LeaseKeeper

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await keeper.runScheduler()
        }
    }
}
