import Directory
import FoundationEssentials
import Kerberos
import Observability
import SystemBasics

/// Whether a fetch serves a lease someone waits for, or gets ahead of need (prefetch, restored
/// leases, refreshes).
package enum FetchPriority: Sendable, Equatable {
    case onDemand
    case background
}

/// How this node asks each domain's DCs: background fetches at most `backgroundPerDomain` at a
/// time, none while the domain backs off after a sign of strain (busy, unavailable, unreachable,
/// slow); an on-demand fetch is admitted at once, and counts against the background's bound, so
/// that a container never waits behind a prefetch and prefetches yield to containers.
package actor FetchPacing {
    package struct Settings: Sendable, Equatable {
        /// Background fetches of one domain at once (`[daemon] prefetch-concurrency`).
        var backgroundPerDomain = 2
        var backoff = DomainBackoff()
        /// A fetch that takes longer than this counts as a sign of strain.
        var slowFetch: Duration = .seconds(5)

        package init(backgroundPerDomain: Int = 2, backoff: DomainBackoff = DomainBackoff(), slowFetch: Duration = .seconds(5)) {
            (self.backgroundPerDomain, self.backoff, self.slowFetch) = (backgroundPerDomain, backoff, slowFetch)
        }
    }

    private struct Domain {
        var running = 0
        /// Background fetches waiting for a slot, first come first served.
        var waiting: [(number: Int, continuation: CheckedContinuation<Void, Never>)] = []
        /// Signs of strain in a row.
        var strain = 0
        var pausedUntil: ContinuousClock.Instant?
        var wake: Task<Void, Never>?
    }

    private var settings: Settings
    private var domains: [String: Domain] = [:]
    private var waiters = 0

    init(settings: Settings = Settings()) {
        self.settings = settings
    }

    package func use(_ settings: Settings) {
        self.settings = settings
        for realm in domains.keys { admitWaiting(realm) }
    }

    /// Waits until a fetch of `realm` with `priority` may start (at once for `.onDemand`); every
    /// admission is paired with one `finished`. A cancelled background wait returns at once,
    /// admitted all the same (the caller checks for cancellation and says `finished`).
    func admit(_ priority: FetchPriority, realm: String) async {
        let realm = realm.uppercased()
        var domain = domains[realm] ?? Domain()
        if priority == .onDemand || (domain.waiting.isEmpty && mayStartBackground(domain)) {
            domain.running += 1
            domains[realm] = domain
            return
        }
        waiters += 1
        let number = waiters
        domains[realm] = domain
        await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                if Task.isCancelled {
                    domains[realm, default: Domain()].running += 1
                    continuation.resume()
                } else {
                    domains[realm, default: Domain()].waiting.append((number, continuation))
                    scheduleWake(realm)
                }
            }
        } onCancel: {
            Task { await self.cancelWait(number, realm: realm) }
        }
    }

    /// A fetch admitted for `realm` ended after `duration`; `strained` when its failure says the
    /// DC is overloaded or away (see `DomainControllerStrain`).
    func finished(realm: String, duration: Duration, strained: Bool) {
        let realm = realm.uppercased()
        guard var domain = domains[realm] else { return }
        domain.running = max(0, domain.running - 1)
        if strained || duration > settings.slowFetch {
            domain.strain += 1
            let pause = settings.backoff.pause(afterStrains: domain.strain, random: Double.random(in: 0...1))
            domain.pausedUntil = ContinuousClock.now + pause
            Metrics.shared.increment("ccgd_domain_backoffs_total", ["realm": realm])
        } else {
            domain.strain = 0
        }
        domains[realm] = domain
        admitWaiting(realm)
    }

    /// A fetch admitted for `realm` found nothing left to do: its slot is free again, and the
    /// domain's strain is as it was.
    func release(realm: String) {
        let realm = realm.uppercased()
        guard domains[realm] != nil else { return }
        domains[realm]!.running = max(0, domains[realm]!.running - 1)
        admitWaiting(realm)
    }

    /// How many background fetches of `realm` wait (for tests and the health detail).
    func waiting(realm: String) -> Int { domains[realm.uppercased()]?.waiting.count ?? 0 }

    /// Whether `realm` backs off now.
    func backsOff(realm: String) -> Bool {
        (domains[realm.uppercased()]?.pausedUntil).map { $0 > .now } ?? false
    }

    private func mayStartBackground(_ domain: Domain) -> Bool {
        domain.running < settings.backgroundPerDomain && (domain.pausedUntil.map { $0 <= .now } ?? true)
    }

    private func admitWaiting(_ realm: String) {
        guard var domain = domains[realm] else { return }
        while !domain.waiting.isEmpty && mayStartBackground(domain) {
            let next = domain.waiting.removeFirst()
            domain.running += 1
            next.continuation.resume()
        }
        domains[realm] = domain
        scheduleWake(realm)
    }

    /// While waiters are held only by a pause, wakes them when it ends.
    private func scheduleWake(_ realm: String) {
        guard let domain = domains[realm], !domain.waiting.isEmpty, let until = domain.pausedUntil, until > .now,
            domain.wake == nil
        else { return }
        domains[realm]?.wake = Task {
            try? await Task.sleep(until: until, clock: .continuous)
            self.woke(realm)
        }
    }

    private func woke(_ realm: String) {
        domains[realm]?.wake = nil
        admitWaiting(realm)
    }

    private func cancelWait(_ number: Int, realm: String) {
        guard let index = domains[realm]?.waiting.firstIndex(where: { $0.number == number }),
            let waiter = domains[realm]?.waiting.remove(at: index)
        else { return }
        domains[realm]?.running += 1
        waiter.continuation.resume()
    }
}

/// How long a domain's background fetches pause after signs of strain in a row: doubling from
/// `first` up to `maximum`, of which a random share (up to half) is taken off, so that the nodes
/// of a fleet that saw the same strain do not come back together.
package struct DomainBackoff: Sendable, Equatable {
    var first: Duration = .seconds(2)
    var maximum: Duration = .seconds(120)

    /// The pause after the `strains`-th sign of strain in a row; `random` in 0…1.
    func pause(afterStrains strains: Int, random: Double) -> Duration {
        guard strains > 0 else { return .zero }
        let doubled = first.secondsValue * Double(1 << min(strains - 1, 30))
        let ceiling = min(doubled, maximum.secondsValue)
        return .milliseconds(Int64((ceiling * (1 - 0.5 * min(max(random, 0), 1)) * 1000).rounded()))
    }
}

/// Whether a failed fetch says the domain's DCs are overloaded or away, rather than that the
/// request itself is wrong: LDAP busy (51), unavailable (52), unwilling to perform (53), a
/// timeout or a lost connection, no DC reachable, a KDC that does not answer or says it is busy.
enum DomainControllerStrain {
    static let ldapBusy: Int32 = 51
    static let ldapUnavailable: Int32 = 52
    static let ldapUnwillingToPerform: Int32 = 53

    static func isStrain(_ error: Error) -> Bool {
        switch error {
        case let error as AccountError:
            switch error {
            case let .fetch(error): return isStrain(error)
            case let .remembered(error, _): return isStrain(error)
            default: return false
            }
        case let error as AccountFetchError:
            switch error {
            case .controllersUnreachable: return true
            case let .directory(error): return isStrain(error)
            case let .portableUserLogin(_, error), let .managedAccountLogin(_, error), let .machineAccountLogin(_, _, error):
                return error.kind == .kdcUnreachable || error.kind == .kdcBusy
            default: return false
            }
        case let error as DirectoryError:
            switch error {
            case .unreachable: return true
            case let .operationFailed(_, _, code, _): return [ldapBusy, ldapUnavailable, ldapUnwillingToPerform].contains(code)
            default: return false
            }
        case let error as KerberosError:
            return error.kind == .kdcUnreachable || error.kind == .kdcBusy
        default:
            return false
        }
    }
}
