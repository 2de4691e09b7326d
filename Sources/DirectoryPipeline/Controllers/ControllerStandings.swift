import Directory
import FoundationEssentials
import DomainModel

/// Which DCs of one realm answer, and so in which order to ask them: the pure rules behind
/// `ControllerHealth` (no clock, no I/O: the caller says when).
///
/// A DC that failed (no connection, no answer in time) is asked last — by LDAP sessions and, through
/// the order of the krb5.conf ccgd writes, by libkrb5 — until a probe sees it answer again. Probes of
/// a failed DC back off (2 s, 4 s, … 30 s); a DC that fails again within `settling` of coming back
/// keeps its backoff, so one that comes and goes is moved back at most once per backoff step
/// rather than on every request (no flapping).
package struct ControllerStandings: Sendable, Equatable {
    package enum State: String, Sendable, Equatable { case up, down, unknown }

    /// One DC's standing.
    package struct Standing: Sendable, Equatable {
        package var state: State = .unknown
        /// Failures since it last settled (drives the probe backoff).
        package var failures = 0
        /// When it last changed state.
        package var since: Date?
        /// When a failed DC is probed next.
        package var nextProbe: Date?
        /// Why it failed last, in `ControllerFailure`'s words.
        package var cause: String?
    }

    /// A change of a DC's state, to log once and to act on (rewrite the order).
    package struct Change: Sendable, Equatable {
        package let host: String
        package let from: State
        package let to: State
        package let cause: String?

        package init(host: String, from: State, to: State, cause: String?) {
            self.host = host
            self.from = from
            self.to = to
            self.cause = cause
        }
    }

    package static let firstProbeDelay: TimeInterval = 2
    package static let longestProbeDelay: TimeInterval = 30
    /// A DC up this long has settled: its next failure starts the backoff anew.
    package static let settling: TimeInterval = 300

    package private(set) var standings: [String: Standing] = [:]

    package init() {}

    package func state(of host: String) -> State { standings[host]?.state ?? .unknown }

    /// The DC failed (`cause`): asked last from now on, probed after the backoff.
    package mutating func recordFailure(_ host: String, cause: String, at now: Date) -> Change? {
        var standing = standings[host] ?? Standing()
        let previous = standing.state
        if previous == .up, let since = standing.since, now.timeIntervalSince(since) >= Self.settling { standing.failures = 0 }
        if previous != .down { standing.failures += 1 }
        standing.state = .down
        standing.cause = cause
        if previous != .down { standing.since = now }
        standing.nextProbe = now.addingTimeInterval(Self.probeDelay(afterFailures: standing.failures))
        standings[host] = standing
        return previous == .down ? nil : Change(host: host, from: previous, to: .down, cause: cause)
    }

    /// The DC answered (a read, a bind or a probe): back in its place in the order.
    package mutating func recordAnswer(_ host: String, at now: Date) -> Change? {
        var standing = standings[host] ?? Standing()
        let previous = standing.state
        standing.state = .up
        standing.cause = nil
        standing.nextProbe = nil
        if previous != .up { standing.since = now }
        standings[host] = standing
        return previous == .up ? nil : Change(host: host, from: previous, to: .up, cause: nil)
    }

    /// A probe of a failed DC found it still failing: the next one waits longer.
    package mutating func recordProbeFailure(_ host: String, cause: String, at now: Date) {
        guard var standing = standings[host], standing.state == .down else { _ = recordFailure(host, cause: cause, at: now); return }
        standing.failures += 1
        standing.cause = cause
        standing.nextProbe = now.addingTimeInterval(Self.probeDelay(afterFailures: standing.failures))
        standings[host] = standing
    }

    /// The failed DCs whose probe is due.
    package func probesDue(at now: Date) -> [String] {
        standings.filter { $0.value.state == .down && ($0.value.nextProbe ?? now) <= now }.map(\.key).sorted()
    }

    /// `preferred` (the configured or discovered order) with the failed DCs moved last, each
    /// group keeping its order.
    package func ordered(_ preferred: [DomainController]) -> [DomainController] {
        preferred.filter { state(of: $0.hostName) != .down } + preferred.filter { state(of: $0.hostName) == .down }
    }

    /// 2 s after the first failure, doubling with each further one, at most 30 s.
    package static func probeDelay(afterFailures failures: Int) -> TimeInterval {
        min(longestProbeDelay, firstProbeDelay * Double(1 << min(max(failures - 1, 0), 8)))
    }
}
