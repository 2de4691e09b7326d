import Logging
import NIOConcurrencyHelpers

/// Logs refused connections at most once per interval, with how many were refused since the
/// last line: a flood of connections must not become a flood of log lines.
package final class ConnectionRefusalLog: Sendable {
    private struct State {
        var lastLine: ContinuousClock.Instant?
        var unreported = 0
    }

    private let logger: Logger
    private let socket: String
    private let interval: Duration
    private let state = NIOLockedValueBox(State())

    package init(logger: Logger, socket: String, interval: Duration = .seconds(10)) {
        self.logger = logger
        self.socket = socket
        self.interval = interval
    }

    package func record(_ refusal: ConnectionRefusal) {
        let now = ContinuousClock.now
        let unreported: Int? = state.withLockedValue { state in
            if let last = state.lastLine, now - last < interval {
                state.unreported += 1
                return nil
            }
            defer { state.lastLine = now; state.unreported = 0 }
            return state.unreported
        }
        guard let unreported else { return }
        logger.warning("connection refused", metadata: [
            "socket": "\(socket)", "limit": "\(refusal.reason)", "error": "\(refusal)",
            "also_refused_since_last_line": "\(unreported)"])
    }
}
