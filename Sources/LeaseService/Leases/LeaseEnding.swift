import Observability
import FoundationEssentials

/// Why ccgd ended a lease that nobody deleted: the audit line's reason and the metric's label.
package enum LeaseEnding: Sendable, CustomStringConvertible {
    /// Its holder process exited (or its pid belongs to another process now).
    case holderGone(LeaseHolder, HolderAbsence)
    /// Its time was up.
    case expired(Date)
    /// The policy or CredSpecs in force no longer allow it.
    case revoked(String)
    /// Its creator was gone before the answer could be delivered.
    case clientGone

    /// Every `label`, for the metric's series at zero.
    package static let labels = Metrics.leaseEndReasons

    package var label: String {
        switch self {
        case .holderGone: "holder_gone"
        case .expired: "expired"
        case .revoked: "revoked"
        case .clientGone: "client_gone"
        }
    }

    package var description: String {
        switch self {
        case let .holderGone(holder, absence): "its holder, \(holder), is gone: \(absence)"
        case let .expired(time): "it expired at \(time.formatted(.iso8601))"
        case let .revoked(reason): "it is no longer allowed: \(reason)"
        case .clientGone: "the client that asked for it was gone before the answer"
        }
    }
}
