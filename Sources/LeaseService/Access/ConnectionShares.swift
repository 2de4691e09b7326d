import Synchronization

/// How many connections a socket takes from allowed peers, and how they are shared: root may
/// use all of them; the other peers together never the last `rootReserve`, and each uid at most
/// `perUID`, so that one peer (or all of them) cannot lock root's runtime hooks out.
package struct ConnectionLimits: Sendable, Equatable {
    /// Every allowed peer's connections together (`max-connections`).
    package var total: Int
    /// Of `total`, how many only root may use (`root-reserved-connections`).
    package var rootReserve: Int
    /// Each non-root uid's connections (`max-connections-per-uid`).
    package var perUID: Int

    package init(total: Int = 4096, rootReserve: Int = 256, perUID: Int = 32) {
        self.total = total
        self.rootReserve = rootReserve
        self.perUID = perUID
    }

    /// What non-root peers may hold together.
    package var nonRoot: Int { max(0, total - rootReserve) }
}

/// Why a connection was not admitted: each names the limit, its value and the key to raise.
package enum ConnectionRefusal: Sendable, Equatable, CustomStringConvertible {
    /// The uid already holds its own share (more, after a reload lowered it).
    case uidLimit(uid: UInt32, held: Int, limit: Int)
    /// Non-root peers together hold all that is not reserved for root.
    case nonRootShare(uid: UInt32, held: Int, limit: Int, reserve: Int)
    /// Every connection is taken.
    case full(uid: UInt32, held: Int, limit: Int)

    package var description: String {
        switch self {
        case let .uidLimit(uid, held, limit):
            "uid \(uid) already holds \(held) connections to ccgd, and its limit is \(limit); close some or raise max-connections-per-uid in [daemon] of ccgd.conf."
        case let .nonRootShare(uid, held, limit, reserve):
            "uid \(uid) cannot connect: peers other than root hold \(held) connections, and max-connections leaves them \(limit) besides the \(reserve) of root-reserved-connections; retry later or raise max-connections in [daemon] of ccgd.conf."
        case let .full(uid, held, limit):
            "uid \(uid) cannot connect: ccgd holds \(held) connections, and its max-connections is \(limit); retry later or raise max-connections in [daemon] of ccgd.conf."
        }
    }

    /// Every `reason`, for the metric's series at zero.
    package static let reasons = ["max-connections-per-uid", "root-reserved-connections", "max-connections"]

    /// A bounded label for metrics and the log.
    package var reason: String {
        switch self {
        case .uidLimit: "max-connections-per-uid"
        case .nonRootShare: "root-reserved-connections"
        case .full: "max-connections"
        }
    }
}

/// The connections a socket holds, by uid, under limits that a reload may replace: new limits
/// apply to new connections; those already held are kept.
package final class ConnectionShares: Sendable {
    private struct State {
        var limits: ConnectionLimits
        var total = 0
        var nonRoot = 0
        var byUID: [UInt32: Int] = [:]
    }

    private let state: Mutex<State>

    package init(_ limits: ConnectionLimits) {
        state = Mutex(State(limits: limits))
    }

    package var limits: ConnectionLimits { state.withLock { $0.limits } }

    package func replace(with limits: ConnectionLimits) { state.withLock { $0.limits = limits } }

    /// Takes a connection for `uid`, or says which limit it is over; `leave` gives it back.
    package func enter(_ uid: UInt32) -> ConnectionRefusal? {
        state.withLock { state in
            let limits = state.limits
            guard state.total < limits.total else { return .full(uid: uid, held: state.total, limit: limits.total) }
            if uid != 0 {
                let held = state.byUID[uid, default: 0]
                guard held < limits.perUID else { return .uidLimit(uid: uid, held: held, limit: limits.perUID) }
                guard state.nonRoot < limits.nonRoot else {
                    return .nonRootShare(uid: uid, held: state.nonRoot, limit: limits.nonRoot, reserve: limits.rootReserve)
                }
                state.byUID[uid] = held + 1
                state.nonRoot += 1
            }
            state.total += 1
            return nil
        }
    }

    package func leave(_ uid: UInt32) {
        state.withLock { state in
            state.total -= 1
            guard uid != 0 else { return }
            state.nonRoot -= 1
            let held = state.byUID[uid, default: 1] - 1
            state.byUID[uid] = held > 0 ? held : nil
        }
    }

    /// Connections held now: all, and those of `uid`.
    package func held(by uid: UInt32? = nil) -> Int {
        state.withLock { state in uid.map { $0 == 0 ? state.total - state.nonRoot : state.byUID[$0, default: 0] } ?? state.total }
    }
}

/// Counts connections so that a flood of clients cannot exhaust file descriptors.
package final class ConnectionLimit: Sendable {
    private let count = Mutex(0)
    let maximum: Int

    package init(maximum: Int) { self.maximum = maximum }

    package func enter() -> Bool {
        count.withLock { count in
            guard count < maximum else { return false }
            count += 1
            return true
        }
    }

    package func leave() { count.withLock { $0 -= 1 } }
}
