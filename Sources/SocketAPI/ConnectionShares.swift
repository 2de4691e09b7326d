import NIOConcurrencyHelpers

/// How many connections a socket takes from allowed peers, and how they are shared: root may
/// use all of them; the other peers together never the last `rootReserve`, and each uid at most
/// `perUID`, so that one peer (or all of them) cannot lock root's runtime hooks out.
public struct ConnectionLimits: Sendable, Equatable {
    /// Every allowed peer's connections together (`max-connections`).
    public var total: Int
    /// Of `total`, how many only root may use (`root-reserved-connections`).
    public var rootReserve: Int
    /// Each non-root uid's connections (`max-connections-per-uid`).
    public var perUID: Int

    public init(total: Int = 4096, rootReserve: Int = 256, perUID: Int = 32) {
        self.total = total
        self.rootReserve = rootReserve
        self.perUID = perUID
    }

    /// What non-root peers may hold together.
    public var nonRoot: Int { max(0, total - rootReserve) }
}

/// Why a connection was not admitted: each names the limit, its value and the key to raise.
public enum ConnectionRefusal: Sendable, Equatable, CustomStringConvertible {
    /// The uid already holds its own share (more, after a reload lowered it).
    case uidLimit(uid: UInt32, held: Int, limit: Int)
    /// Non-root peers together hold all that is not reserved for root.
    case nonRootShare(uid: UInt32, held: Int, limit: Int, reserve: Int)
    /// Every connection is taken.
    case full(uid: UInt32, held: Int, limit: Int)

    public var description: String {
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
    public static let reasons = ["max-connections-per-uid", "root-reserved-connections", "max-connections"]

    /// A bounded label for metrics and the log.
    public var reason: String {
        switch self {
        case .uidLimit: "max-connections-per-uid"
        case .nonRootShare: "root-reserved-connections"
        case .full: "max-connections"
        }
    }
}

/// The connections a socket holds, by uid, under limits that a reload may replace: new limits
/// apply to new connections; those already held are kept.
public final class ConnectionShares: Sendable {
    private struct State {
        var limits: ConnectionLimits
        var total = 0
        var nonRoot = 0
        var byUID: [UInt32: Int] = [:]
    }

    private let state: NIOLockedValueBox<State>

    public init(_ limits: ConnectionLimits) {
        state = NIOLockedValueBox(State(limits: limits))
    }

    public var limits: ConnectionLimits { state.withLockedValue { $0.limits } }

    public func replace(with limits: ConnectionLimits) { state.withLockedValue { $0.limits = limits } }

    /// Takes a connection for `uid`, or says which limit it is over; `leave` gives it back.
    public func enter(_ uid: UInt32) -> ConnectionRefusal? {
        state.withLockedValue { state in
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

    public func leave(_ uid: UInt32) {
        state.withLockedValue { state in
            state.total -= 1
            guard uid != 0 else { return }
            state.nonRoot -= 1
            let held = state.byUID[uid, default: 1] - 1
            state.byUID[uid] = held > 0 ? held : nil
        }
    }

    /// Connections held now: all, and those of `uid`.
    public func held(by uid: UInt32? = nil) -> Int {
        state.withLockedValue { state in uid.map { $0 == 0 ? state.total - state.nonRoot : state.byUID[$0, default: 0] } ?? state.total }
    }
}
