import FoundationEssentials
import Glibc
import Kerberos
import SystemBasics

/// When fetched credentials must be fetched or renewed again.
package struct RefreshPolicy: Sendable {
    /// Fraction of a ticket's lifetime after which a new one is obtained.
    package var ticketRenewalFraction: Double = 0.8
    /// Never plan a password read sooner than this after the last one (a DC answering with a
    /// zero interval must not become a busy loop).
    package var minimumPasswordInterval: TimeInterval = 60

    package init() {}

    /// The next time the password must be read: the DC promised no change before
    /// `passwordStableUntil`; `jitter` (0…1) spreads many nodes over the last tenth of the interval.
    package func passwordRefresh(for account: ManagedAccount, jitter: Double = 0) -> Date {
        let stable = max(account.unchangedPasswordInterval.secondsValue, minimumPasswordInterval)
        return account.fetchedAt.addingTimeInterval(stable * (1 - 0.1 * min(max(jitter, 0), 1)))
    }

    /// Never replace a ticket sooner than this after getting it: a KDC handing out tickets of a
    /// few seconds (or a clock far ahead of the DC's) must not become a busy loop against it.
    package var minimumTicketInterval: TimeInterval = 10

    /// The next time a ticket with `times`, obtained at `now`, should be replaced.
    package func ticketRefresh(_ times: TicketTimes, now: Date) -> Date {
        let lifetime = times.endTime.timeIntervalSince(times.startTime)
        let planned = times.startTime.addingTimeInterval(lifetime * ticketRenewalFraction)
        return max(planned, now.addingTimeInterval(minimumTicketInterval))
    }
}
