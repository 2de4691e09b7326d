import Logging
import Synchronization

/// Logs refused connections at most once per interval and kind (over a limit, a peer not
/// allowed), with how many of that kind were refused since its last line: a flood of
/// connections must not become a flood of log lines.
package final class ConnectionRefusalLog: Sendable {
    private struct Kind: Sendable {
        var lastLine: ContinuousClock.Instant?
        var unreported = 0
    }

    private let logger: Logger
    private let socket: String
    private let interval: Duration
    private let kinds = Mutex([String: Kind]())

    package init(logger: Logger, socket: String, interval: Duration = .seconds(10)) {
        self.logger = logger
        self.socket = socket
        self.interval = interval
    }

    /// A connection of an allowed peer over one of its connection limits.
    package func record(_ refusal: ConnectionRefusal) {
        guard let unreported = due("limit") else { return }
        logger.warning(
            "connection refused",
            metadata: [
                "socket": "\(socket)", "limit": "\(refusal.reason)", "error": "\(refusal)",
                "also_refused_since_last_line": "\(unreported)",
            ])
    }

    /// A peer in neither allowed-uids nor allowed-gids: `answered` when it got its 403 (else
    /// the refused peers' own budget was full and it was closed at once).
    package func recordForbidden(_ peer: PeerCredentials?, answered: Bool) {
        guard let unreported = due("forbidden") else { return }
        let who = peer.map { "uid \($0.uid), gid \($0.gid), pid \($0.pid)" } ?? "an unidentified peer"
        logger.warning(
            "peer refused: not in allowed-uids or allowed-gids",
            metadata: [
                "socket": "\(socket)", "peer": "\(who)", "answer": "\(answered ? "403 forbidden" : "none (too many refused peers at once)")",
                "hint": "add the peer's uid to allowed-uids or its group to allowed-gids in [daemon] of ccgd.conf if it should be served",
                "also_refused_since_last_line": "\(unreported)",
            ])
    }

    /// How many of `kind` went unreported when a line is due now, else nil (and one more is unreported).
    private func due(_ kind: String) -> Int? {
        let now = ContinuousClock.now
        return kinds.withLock { kinds in
            var state = kinds[kind] ?? Kind()
            defer { kinds[kind] = state }
            if let last = state.lastLine, now - last < interval {
                state.unreported += 1
                return nil
            }
            defer { state.lastLine = now; state.unreported = 0 }
            return state.unreported
        }
    }
}
