import CSIFrontEnd
import Configuration
import DirectoryPipeline
import Glibc
import LeaseService
import Logging
import PackageVersion
import ServiceLifecycle

/// The daemon's CSI front end (`[csi]`, off without it): the Kubernetes node plug-in's sockets,
/// and the sweep that ends the leases of pods gone from this node.
enum CSIFrontEndSetup {
    /// The server, nil when `[csi]` is off; it checks pods' service accounts against the current `policy`.
    static func server(
        _ configuration: ServiceConfiguration.CSI, keeper: LeaseKeeper, policy: PeerPolicyBox, health: ControllerHealth, logger: Logger
    ) throws -> CSIServer? {
        guard configuration.enabled else { return nil }
        let settings = CSIServer.Settings(
            driverName: configuration.driverName, vendorVersion: PackageVersion.string, socketPath: configuration.socketPath,
            registrationSocketPath: configuration.registrationSocketPath,
            node: CSINodeService.Settings(nodeID: configuration.nodeID ?? hostName(), kubeletDirectory: configuration.kubeletDirectory))
        return try CSIServer(
            settings, keeper: keeper, policy: { policy.policy },
            isReady: { await !HealthReport.assess(keeper: keeper, health: health).degraded }, logger: logger)
    }

    /// This host's name, the node's name unless `node-id` says otherwise.
    static func hostName() -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        guard gethostname(&buffer, buffer.count - 1) == 0 else { return "localhost" }
        return String(decoding: buffer.prefix { $0 != 0 }, as: UTF8.self)
    }
}

/// Serves the CSI sockets until shutdown, and every minute ends the leases of pods that left
/// the node without an unpublish (the kubelet's own clean-up usually comes first).
struct CSIService: Service {
    let server: CSIServer
    let logger: Logger
    static let sweepInterval: Duration = .seconds(60)

    func run() async throws {
        try await withGracefulShutdownHandler {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await server.run() }
                tasks.addTask {
                    while !Task.isCancelled {
                        let ended = await server.node.endLeasesOfGonePods()
                        if ended > 0 { logger.notice("CSI leases of pods gone from this node ended", metadata: ["leases": "\(ended)"]) }
                        try await Task.sleep(for: Self.sweepInterval)
                    }
                }
                try await tasks.next()
                tasks.cancelAll()
            }
        } onGracefulShutdown: {
            server.shutdown()
        }
    }
}
