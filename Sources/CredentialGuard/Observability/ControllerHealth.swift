import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// What ccgd last saw of each domain controller, for `GET /v1/health` and the metrics.
public final class ControllerHealth: Sendable {
    public enum State: String, Sendable, Codable { case up, down, unknown }

    public struct Controller: Sendable {
        public let realm: String
        public let host: String
        public let state: State
        public let lastContact: Date?
    }

    private let controllers = Mutex<[String: [String: Controller]]>([:])

    public init() {}

    /// Registers the DCs of a realm before any contact (state unknown; `ccgd_domain_controller_up`
    /// 0 until one is reached, so that an alert on `== 0` sees a DC that never answered).
    public func know(realm: String, hosts: [String]) {
        controllers.withLock { all in
            for host in hosts where all[realm]?[host] == nil {
                all[realm, default: [:]][host] = Controller(realm: realm, host: host, state: .unknown, lastContact: nil)
            }
        }
        for host in hosts { Metrics.shared.declareGauge("ccgd_domain_controller_up", ["realm": realm, "host": host], value: 0) }
    }

    public func record(realm: String, host: String, reachable: Bool, at time: Date = Date()) {
        controllers.withLock { all in
            let previous = all[realm]?[host]
            all[realm, default: [:]][host] = Controller(realm: realm, host: host, state: reachable ? .up : .down,
                                                        lastContact: reachable ? time : previous?.lastContact)
        }
        Metrics.shared.set("ccgd_domain_controller_up", ["realm": realm, "host": host], to: reachable ? 1 : 0)
    }

    /// Realm → its DCs, sorted.
    public func snapshot() -> [(realm: String, controllers: [Controller])] {
        controllers.withLock { all in
            all.keys.sorted().map { realm in (realm, all[realm]!.values.sorted { $0.host < $1.host }) }
        }
    }
}
