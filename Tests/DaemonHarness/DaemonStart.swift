import Foundation

/// Waiting for a ccgd just started to serve its socket, the same way for the tests and the benchmark.
package enum DaemonStart {
    package enum Outcome: Sendable, Equatable {
        case serving
        /// The process ended before it served (a configuration it refused, a socket in use).
        case exited
        /// Every attempt failed while it kept running.
        case silent
    }

    /// Asks `serves` up to `attempts` times, `interval` apart, while `daemon` runs; `serves` is the
    /// caller's own request (its client and its idea of ready: health 200, any answer).
    package static func wait(
        for daemon: ChildProcess, attempts: Int, interval: Duration,
        serves: () async -> Bool
    ) async -> Outcome {
        for _ in 0..<attempts {
            if daemon.hasExited { return .exited }
            if await serves() { return .serving }
            try? await Task.sleep(for: interval)
        }
        return daemon.hasExited ? .exited : .silent
    }
}
