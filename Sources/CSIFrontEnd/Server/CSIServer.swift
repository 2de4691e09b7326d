import GRPCUnaryServer
import Glibc
import LeaseService
import Logging

/// ccgd's CSI node plug-in: the CSI endpoint (Identity and Node) and, unless a registrar sidecar
/// does it, the kubelet's registration socket. Both sockets are root's alone (0600): the kubelet
/// calls as root, and an RPC from any other peer is refused.
package final class CSIServer: Sendable {
    package struct Settings: Sendable {
        package var driverName: String
        package var vendorVersion: String
        package var socketPath: String
        /// nil: a node-driver-registrar sidecar registers the driver.
        package var registrationSocketPath: String?
        package var node: CSINodeService.Settings

        package init(driverName: String, vendorVersion: String, socketPath: String, registrationSocketPath: String?, node: CSINodeService.Settings) {
            self.driverName = driverName
            self.vendorVersion = vendorVersion
            self.socketPath = socketPath
            self.registrationSocketPath = registrationSocketPath
            self.node = node
        }
    }

    package let node: CSINodeService
    private let plugin: GRPCSocketServer<Bool>
    private let registration: GRPCSocketServer<Bool>?

    package init(
        _ settings: Settings, keeper: LeaseKeeper, policy: @escaping @Sendable () -> PeerPolicy, isReady: @escaping @Sendable () async -> Bool,
        logger: Logger
    ) throws {
        node = CSINodeService(keeper: keeper, settings: settings.node, policy: policy, logger: logger)
        let identity = CSIIdentityService(driverName: settings.driverName, vendorVersion: settings.vendorVersion, isReady: isReady)
        let admission = CSIAdmission()
        plugin = try GRPCSocketServer(Self.socket(settings.socketPath), routes: CSIRoutes.plugin(identity: identity, node: node), admit: admission.admit)
        registration = try settings.registrationSocketPath.map { path in
            let kubelet = KubeletRegistration(driverName: settings.driverName, endpoint: settings.socketPath, logger: logger)
            return try GRPCSocketServer(Self.socket(path), routes: CSIRoutes.registration(kubelet), admit: admission.admit)
        }
    }

    private static func socket(_ path: String) -> GRPCSocketServer<Bool>.Settings {
        var settings = GRPCSocketServer<Bool>.Settings(socketPath: path)
        settings.socketMode = 0o600
        settings.directoryMode = 0o750
        return settings
    }

    /// Serves both sockets until `shutdown()`.
    package func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { servers in
            servers.addTask { try await self.plugin.run() }
            if let registration { servers.addTask { try await registration.run() } }
            try await servers.waitForAll()
        }
    }

    package func shutdown() {
        plugin.shutdown()
        registration?.shutdown()
    }
}

/// Root's connections are served; a few of any other peer's are kept to be told why each RPC is
/// refused, and the rest closed.
private struct CSIAdmission: Sendable {
    let root = ConnectionLimit(maximum: 64)
    let others = ConnectionLimit(maximum: 8)

    func admit(_ peer: SocketPeer?) -> GRPCSocketServer<Bool>.Admission {
        let isRoot = peer?.uid == 0
        let limit = isRoot ? root : others
        guard limit.enter() else { return .close }
        return .admit(isRoot, leave: { limit.leave() })
    }
}
