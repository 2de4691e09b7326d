import FoundationEssentials
import DirectoryPipeline
import Observability

/// ccgd's health, assessed once for `GET /v1/health`, `ccgd_health_degraded` and systemd's
/// status line: degraded exactly when there is a reason, and each reason is one sentence an
/// operator can act on.
package struct HealthReport: Sendable {
    package let leases: Int
    package let accounts: [AccountStatus]
    package let controllers: [(realm: String, controllers: [ControllerHealth.Controller])]
    package let prefetch: [PrefetchStatus]
    /// Damaged lease journal copies in the state directory (kept until an operator removes them).
    package let damagedJournalCopies: [String]
    /// Why ccgd is degraded; empty when it is not.
    package let reasons: [String]

    package var degraded: Bool { !reasons.isEmpty }

    package static func assess(keeper: LeaseKeeper, health: ControllerHealth) async -> HealthReport {
        let accounts = await keeper.accountStatuses()
        let controllers = health.snapshot()
        let copies = await keeper.damagedJournalCopies()
        var reasons: [String] = []
        for account in accounts {
            switch account.state {
            case .failed:
                reasons.append("gMSA \(account.account) of \(account.realm) could not be fetched: \(account.lastError ?? "no error recorded")")
            case .stale:
                reasons.append(
                    "gMSA \(account.account) of \(account.realm) could not be refreshed (its leases keep their still-valid files): \(account.lastError ?? "no error recorded")"
                )
            case .fresh, .refreshing: break
            }
        }
        for (realm, list) in controllers {
            for controller in list where controller.state == .down {
                let last = controller.lastContact.map { "last reached \($0.formatted(.iso8601))" } ?? "never reached"
                reasons.append(
                    "domain controller \(controller.host) of \(realm) does not answer (\(last)\(controller.cause.map { "; \($0)" } ?? "")); it is asked last and probed until it answers."
                )
            }
        }
        for copy in copies {
            reasons.append(
                "the damaged lease journal copy \(copy) is kept, so lease directories without a record (which may hold keytabs) are not removed; restore the leases it holds or give up on them, then delete it."
            )
        }
        return HealthReport(
            leases: await keeper.leaseCount, accounts: accounts, controllers: controllers,
            prefetch: await keeper.prefetchStatuses(), damagedJournalCopies: copies, reasons: reasons)
    }

    /// Sets the gauges a scrape reads: leases, accounts, degraded, damaged copies, the process's own.
    package func publish(to metrics: Metrics) {
        metrics.set("ccgd_leases", to: Double(leases))
        metrics.set("ccgd_accounts", to: Double(accounts.count))
        metrics.set("ccgd_health_degraded", to: degraded ? 1 : 0)
        metrics.set("ccgd_journal_damaged_copies", to: Double(copies))
        ProcessMetrics.update(metrics)
    }

    private var copies: Int { damagedJournalCopies.count }
}
