import FoundationEssentials
import ServiceLifecycle
import SocketAPI
import DirectoryPipeline
import LeaseService

/// Pings systemd's watchdog only after a real request went through the socket, the router and
/// the lease keeper: a wedged daemon stops pinging and systemd restarts it. Updates STATUS too.
struct WatchdogService: Service {
    let socket: String
    let keeper: LeaseKeeper
    let health: ControllerHealth
    let notifier: SystemdNotifier

    func run() async throws {
        // Without systemd there is nobody to tell; a service that returns early would stop the group.
        guard notifier.isActive else {
            try? await gracefulShutdown()
            return
        }
        let interval = SystemdNotifier.watchdogInterval().map { $0 / 2 } ?? .seconds(30)
        let client = APIClient(socketPath: socket)
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if let response = try? await client.send(.GET, "/v1/health"), response.status == 200 {
                    notifier.watchdog()
                    notifier.status(await Self.status(keeper: keeper, health: health))
                }
                try? await Task.sleep(for: interval)
            }
        }
    }

    /// The one line `systemctl status` shows.
    static func status(keeper: LeaseKeeper, health: ControllerHealth) async -> String {
        let accounts = await keeper.accountStatuses()
        let failing = accounts.filter { $0.state == .failed || $0.state == .stale }.count
        let controllers = health.snapshot().flatMap(\.controllers)
        let up = controllers.filter { $0.state == .up }.count
        return "\(await keeper.leaseCount) leases, \(accounts.count) accounts (\(failing) failing), DCs up \(up)/\(controllers.count)"
    }
}
