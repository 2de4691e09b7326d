import Configuration
import ECSFrontEnd
import FoundationEssentials
import Logging
import ServiceLifecycle
import SocketAPI
import Synchronization
import Glibc
import DirectoryPipeline
import LeaseService
import PluginHost

/// The daemon's ECS front end (`[ecs]`, off without it): the plug-in that holds the agent's
/// portable-user passwords (in memory only), and the gRPC server on the same lease keeper.
final class ECSFrontEndSetup: Sendable {
    let configuration: ServiceConfiguration.ECS
    private let provided = ProvidedCredentials()
    /// The lease files' keys in force: a reload changes them for the leases made afterwards.
    private let leaseFiles: Mutex<ServiceConfiguration.ECS>

    init(_ configuration: ServiceConfiguration.ECS) {
        self.configuration = configuration
        leaseFiles = Mutex(configuration)
    }

    /// The owner and mode of new leases' files from now on (a reload).
    func useLeaseFiles(of configuration: ServiceConfiguration.ECS) {
        leaseFiles.withLock { $0 = configuration }
    }

    /// The owner and mode of the files of gMSA `name`'s directories, as configured now.
    func ownership(ofGMSA name: String) -> ECSLeaseOwnership {
        let files = leaseFiles.withLock { $0.leaseFiles(forGMSA: name) }
        return ECSLeaseOwnership(uid: files.uid, gid: files.gid, access: files.mode == .group ? .group : .owner)
    }

    /// Adds the provided-credentials plug-in when `[ecs]` is on (at start and on every reload).
    func registerPlugins(_ registry: inout PluginRegistry) {
        guard configuration.enabled else { return }
        registry.register(provided, guid: ProvidedCredentials.guid, name: "ecs-provided", origin: "built-in (ECS front end)")
    }

    /// Removes the krb files of ECS leases deleted just before a crash (after `restore`).
    func removeLeftovers(keeper: LeaseKeeper, logger: Logger) async {
        guard configuration.enabled else { return }
        let problems = await keeper.removeDirectoriesWithoutLease(
            under: configuration.krbFilesDirectory,
            groups: CredentialsFetcherService.isLeaseID)
        for problem in problems {
            logger.error("a deleted ECS lease's directory cannot be removed; remove it by hand", metadata: ["error": "\(problem)"])
        }
    }

    /// The server, nil when `[ecs]` is off; it checks callers against the API's current `policy`.
    func server(
        keeper: LeaseKeeper, policy: PeerPolicyBox, connections: ConnectionLimits, source: DirectoryAccountSource,
        inheritedDescriptor: Int32?, logger: Logger
    ) throws -> ECSServer? {
        guard configuration.enabled else { return nil }
        var settings = ECSServer.Settings(socketPath: configuration.socket, krbFilesDirectory: configuration.krbFilesDirectory)
        settings.socketMode = mode_t(configuration.socketMode)
        settings.connections = connections
        let service = CredentialsFetcherService(
            keeper: keeper, provided: provided, krbFilesDirectory: settings.krbFilesDirectory, policy: { policy.policy },
            readsWithMachineAccount: { source.domains.configuredSettings(realm: $0)?.forcesDomainJoined ?? false },
            forgetSessions: { source.forgetSessions(ofPortableUser: $0, domain: $1) },
            verifyPassword: { credential, spec throws(AccountFetchError) in try await source.verifyPortableUser(credential, for: spec) },
            ownership: { [self] in ownership(ofGMSA: $0) },
            logger: Logger(label: "ccgd.ecs"))
        return try ECSServer(settings, service: service, policy: { policy.policy }, inheritedDescriptor: inheritedDescriptor, logger: logger)
    }
}

/// Serves the ECS agent's gRPC protocol until shutdown.
struct ECSService: Service {
    let server: ECSServer

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await server.run()
        } onGracefulShutdown: {
            server.shutdown()
        }
    }
}
