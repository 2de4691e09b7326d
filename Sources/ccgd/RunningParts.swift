import Configuration
import ECSFrontEnd
import Logging
import SystemBasics
import DirectoryPipeline
import LeaseService
import PluginHost

/// The parts of a running ccgd a configuration applies to, and the one function that applies
/// it: start-up and every reload call `apply`, so that a setting cannot be followed at one and
/// forgotten at the other.
struct RunningParts: Sendable {
    let source: DirectoryAccountSource
    let keeper: LeaseKeeper
    let ecs: ECSFrontEndSetup
    let logger: Logger

    /// When a configuration is applied, with what only that moment does.
    enum Moment {
        /// Before the sockets are bound (they are made from the same configuration): the
        /// journal's leases come back.
        case startUp
        /// A reload: the front ends' allow-list and connection shares follow it, failed fetches
        /// are tried again, and leases follow the CredSpec directory.
        case reload(policy: PeerPolicyBox, connectionShares: [ConnectionShares])
    }

    /// The plug-ins `configuration` registers, with those of no configuration (the ECS agent's).
    static func plugins(of configuration: ServiceConfiguration, ecs: ECSFrontEndSetup) throws(ConfigurationError) -> PluginRegistry {
        var plugins = try PluginRegistry(configuration: configuration, logger: Logger(label: "ccgd.plugins"))
        ecs.registerPlugins(&plugins)
        plugins.declareMetrics()
        return plugins
    }

    /// Applies `configuration` (with its `plugins` and `domains`, whose krb5.conf is written);
    /// returns how many leases came back (start-up) and how many it ended.
    func apply(
        _ configuration: ServiceConfiguration, plugins: PluginRegistry, domains: Domains,
        at moment: Moment
    ) async throws -> (restored: Int, ended: Int) {
        JournalLogHandler.level.withLock { $0 = Logger.Level(rawValue: configuration.daemon.logLevel) ?? .info }
        source.reconfigure(plugins: plugins, domains: domains)
        source.useTicketLifetime(configuration.refresh.ticketLifetime?.secondsValue)
        await keeper.useCredSpecDirectory(CredSpecDirectory(path: configuration.daemon.credSpecDirectory))
        await keeper.useRefreshTimings(
            ticketRenewal: configuration.refresh.ticketRenewal, firstRetry: configuration.refresh.retry.secondsValue,
            maximumRetry: configuration.refresh.retryMaximum.secondsValue)
        await keeper.useLimits(configuration.leaseLimits)
        ecs.useLeaseFiles(of: configuration.ecs)
        // Before the restore: restored leases whose files are in place are fetched in the background, spread.
        await keeper.useBackgroundFetches(configuration.backgroundFetchSettings)
        var restored = 0
        switch moment {
        case .startUp:
            restored = try await keeper.restore()
        case let .reload(policy, connectionShares):
            policy.replace(with: Daemon.policy(configuration))
            // New limits apply to new connections; those already held are kept.
            for shares in connectionShares { shares.replace(with: configuration.daemon.connectionLimits) }
            // Plug-ins, domains or secrets may have been fixed: a fetch that failed is tried again at once.
            await keeper.forgetFailedFetches()
            // Revocation reaches existing leases: a CredSpec gone or changed.
            await keeper.followCredSpecDirectory()
        }
        // A lease the configuration in force no longer allows does not stay (a narrowed allow-list).
        let ended = await keeper.endLeases(refusedBy: Daemon.leaseRefusal(configuration))
        if case .startUp = moment { await ecs.removeLeftovers(keeper: keeper, logger: logger) }
        // In the background: READY and the first requests never wait for the DCs; CredSpecs added
        // are fetched, those removed released.
        await keeper.prefetch(configuration.prefetchSettings)
        return (restored, ended)
    }
}
