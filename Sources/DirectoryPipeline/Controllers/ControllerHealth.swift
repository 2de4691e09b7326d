import Directory
import FoundationEssentials
import Glibc
import Logging
import Synchronization
import DomainModel
import Observability

/// What ccgd last saw of each domain controller, for `GET /v1/health`, the metrics and the order
/// in which DCs are asked (a failed DC last, see `ControllerStandings`). Each change of a DC's
/// state is logged once; observers (the process's krb5.conf) hear of every change.
package final class ControllerHealth: Sendable {
    package typealias State = ControllerStandings.State

    package struct Controller: Sendable {
        package let realm: String
        package let host: String
        package let state: State
        package let lastContact: Date?
        /// The DC ccgd's last successful read of the realm used.
        package let inUse: Bool
        /// Why it failed last (nil unless down).
        package let cause: String?
        /// One of the DCs of this host's AD site (asked before the others).
        package var inSite = false
    }

    private struct Realm {
        var standings = ControllerStandings()
        /// Every DC known, by host name, in the order first known (for probes and the snapshot).
        var controllers: [String: DomainController] = [:]
        var lastContact: [String: Date] = [:]
        var inUse: String?
        /// Where DNS and the LDAP ping put this host (nil: no site known).
        var location: DomainControllerLocation?
    }

    private let realms = Mutex<[String: Realm]>([:])
    private let observers = Mutex<[@Sendable () -> Void]>([])
    private let logger: Logger
    private let clock: @Sendable () -> Date

    package init(logger: Logger = Logger(label: "ccgd.controllers"), clock: @escaping @Sendable () -> Date = { Date() }) {
        self.logger = logger
        self.clock = clock
    }

    /// `body` runs after every change of a DC's state (off any lock).
    package func observe(_ body: @escaping @Sendable () -> Void) {
        observers.withLock { $0.append(body) }
    }

    /// Registers the DCs of a realm before any contact (state unknown; `ccgd_domain_controller_up`
    /// 0 until one is reached, so that an alert on `== 0` sees a DC that never answered).
    package func know(realm: String, controllers: [DomainController]) {
        realms.withLock { all in
            for controller in controllers { all[realm, default: Realm()].controllers[controller.hostName] = controller }
        }
        for controller in controllers {
            Metrics.shared.declareGauge("ccgd_domain_controller_up", ["realm": realm, "host": controller.hostName], value: 0)
            Metrics.shared.declareGauge("ccgd_domain_controller_in_use", ["realm": realm, "host": controller.hostName], value: 0)
        }
    }

    package func know(realm: String, hosts: [String]) {
        know(realm: realm, controllers: hosts.map { DomainController(hostName: $0) })
    }

    /// `host` answered (`reachable`) or failed, by a request's account; `cause` says why it failed.
    package func record(realm: String, host: String, reachable: Bool, cause: String? = nil, at time: Date? = nil) {
        let now = time ?? clock()
        let change = realms.withLock { all -> ControllerStandings.Change? in
            var entry = all[realm, default: Realm()]
            if entry.controllers[host] == nil { entry.controllers[host] = DomainController(hostName: host) }
            let change: ControllerStandings.Change?
            if reachable {
                change = entry.standings.recordAnswer(host, at: now)
                entry.lastContact[host] = now
            } else {
                change = entry.standings.recordFailure(host, cause: cause ?? "no answer", at: now)
            }
            all[realm] = entry
            return change
        }
        Metrics.shared.set("ccgd_domain_controller_up", ["realm": realm, "host": host], to: reachable ? 1 : 0)
        if let change { announce(change, realm: realm) }
    }

    /// The site and the site's DCs a discovery found: the site found is logged once, and
    /// a change of site (or the loss of one) again.
    package func locate(realm: String, _ location: DomainControllerLocation) {
        let previous = realms.withLock { all -> DomainControllerLocation? in
            let previous = all[realm]?.location
            all[realm, default: Realm()].location = location
            return previous
        }
        if let site = location.site {
            Metrics.shared.set("ccgd_domain_site", ["realm": realm, "site": site.name], to: 1)
        }
        if let old = previous?.site, old.name != location.site?.name {
            Metrics.shared.set("ccgd_domain_site", ["realm": realm, "site": old.name], to: 0)
        }
        guard previous?.site != location.site || previous?.siteControllers != location.siteControllers || previous == nil else { return }
        let inSite = location.siteControllers.isEmpty ? "none" : location.siteControllers.joined(separator: ", ")
        switch (previous?.site, location.site) {
        case (nil, let site?):
            logger.notice(
                "\(realm): this host is in AD site \(site); its DCs (\(inSite)) are asked first\(location.siteProblem.map { "; \($0)" } ?? "")")
        case (let old?, let site?) where old.name == site.name:
            logger.notice("\(realm): the DCs of AD site \(site.name) are now \(inSite)\(location.siteProblem.map { "; \($0)" } ?? "")")
        case (let old?, let site?):
            logger.notice(
                "\(realm): this host's AD site is now \(site), no longer \(old.name); its DCs (\(inSite)) are asked first\(location.siteProblem.map { "; \($0)" } ?? "")"
            )
        case (_, nil):
            logger.notice("\(realm): no AD site known for this host (\(location.siteProblem ?? "no reason given")); the DCs are asked in DNS's order")
        }
    }

    /// What `locate` last recorded for `realm`.
    package func location(realm: String) -> DomainControllerLocation? {
        realms.withLock { $0[realm]?.location }
    }

    /// The DC a successful read used: the one `GET /v1/health` and `ccgd_domain_controller_in_use` name.
    package func use(realm: String, host: String) {
        let previous = realms.withLock { all -> String? in
            let previous = all[realm]?.inUse
            all[realm, default: Realm()].inUse = host
            return previous
        }
        guard previous != host else { return }
        if let previous { Metrics.shared.set("ccgd_domain_controller_in_use", ["realm": realm, "host": previous], to: 0) }
        Metrics.shared.set("ccgd_domain_controller_in_use", ["realm": realm, "host": host], to: 1)
        logger.info("domain controller \(host) of \(realm) is now the one in use\(previous.map { " (was \($0))" } ?? "")")
    }

    /// `preferred` in the order to ask them now: the failed DCs last.
    package func ordered(realm: String, _ preferred: [DomainController]) -> [DomainController] {
        realms.withLock { $0[realm]?.standings.ordered(preferred) } ?? preferred
    }

    /// The first of `preferred` that has not failed, if any: where a warm session belongs.
    package func preferred(realm: String, _ preferred: [DomainController]) -> DomainController? {
        realms.withLock { all in preferred.first { all[realm]?.standings.state(of: $0.hostName) != .down } }
    }

    /// The failed DCs whose probe is due, with their realm.
    package func probesDue() -> [(realm: String, controller: DomainController)] {
        let now = clock()
        return realms.withLock { all in
            all.keys.sorted().flatMap { realm in
                all[realm]!.standings.probesDue(at: now).map { (realm, all[realm]!.controllers[$0] ?? DomainController(hostName: $0)) }
            }
        }
    }

    /// The DCs of `realm` recorded failed.
    package func failed(realm: String) -> [DomainController] {
        realms.withLock { all in
            guard let entry = all[realm] else { return [] }
            return entry.standings.standings.filter { $0.value.state == .down }.keys.sorted()
                .map { entry.controllers[$0] ?? DomainController(hostName: $0) }
        }
    }

    /// A probe's verdict on a failed DC: back (logged, reordered) or still failing (probed later).
    package func recordProbe(realm: String, host: String, failure: String?) {
        guard let failure else { return record(realm: realm, host: host, reachable: true) }
        let now = clock()
        realms.withLock { all in all[realm]?.standings.recordProbeFailure(host, cause: failure, at: now) }
    }

    private func announce(_ change: ControllerStandings.Change, realm: String) {
        switch (change.from, change.to) {
        case (_, .down):
            logger.warning(
                "domain controller \(change.host) of \(realm) failed: \(change.cause ?? "no answer"); it is asked last, and probed until it answers again")
        case (.down, .up):
            logger.notice("domain controller \(change.host) of \(realm) answers again; it takes its place in the order again")
        case (.unknown, .up):
            logger.info("domain controller \(change.host) of \(realm) answers")
        default: break
        }
        for observer in observers.withLock({ $0 }) { observer() }
    }

    /// Realm → its DCs, sorted.
    package func snapshot() -> [(realm: String, controllers: [Controller])] {
        realms.withLock { all in
            all.keys.sorted().map { realm in
                let entry = all[realm]!
                let hosts = Set(entry.controllers.keys).union(entry.standings.standings.keys).sorted()
                return (
                    realm,
                    hosts.map { host in
                        let standing = entry.standings.standings[host]
                        var controller = Controller(
                            realm: realm, host: host, state: standing?.state ?? .unknown, lastContact: entry.lastContact[host],
                            inUse: entry.inUse == host, cause: standing?.state == .down ? standing?.cause : nil)
                        controller.inSite = entry.location?.isInSite(host) ?? false
                        return controller
                    }
                )
            }
        }
    }
}
