/// How a node spreads and bounds the fetches nobody waits for (`[daemon] prefetch-window` and
/// `prefetch-concurrency`): a fleet restarting at once must not reach its DCs at once.
package struct BackgroundFetchSettings: Sendable, Equatable {
    /// Prefetches start at random moments of this window after a start or reload.
    package var window: Duration
    /// Restored leases whose files are still in place are fetched again at random moments of this
    /// window (their tickets must outlive it); zero: before the daemon serves, as at any start
    /// without pacing.
    package var restoreWindow: Duration
    /// Background fetches of one domain at once; on-demand fetches are never held back.
    package var perDomain: Int

    package init(window: Duration = .zero, restoreWindow: Duration? = nil, perDomain: Int = 2) {
        self.window = max(window, .zero)
        self.restoreWindow = max(restoreWindow ?? window, .zero)
        self.perDomain = max(1, perDomain)
    }
}
