import FoundationEssentials
import Observability
import PluginHost

/// Why the accounts of a CredSpec could not be had: the plug-in failed, the fetch failed, or
/// the same fetch failed a moment ago and is not tried again yet. Front ends see it inside
/// their own errors (a lease's `LeaseError`), with the same code and sentence.
package indirect enum AccountError: CodedError, Sendable {
    case plugin(PluginHostError)
    case fetch(AccountFetchError)
    /// Something neither the plug-in host nor the fetch describes (a cancelled task, say).
    case unexpected(String)
    /// A fetch of the same accounts failed a moment ago: its error, answered again until `retryAt`.
    case remembered(AccountError, retryAt: Date)

    /// Sorts any error of a fetch into the kinds above.
    package init(_ error: Error) {
        switch error {
        case let error as AccountError: self = error
        case let error as PluginHostError: self = .plugin(error)
        case let error as AccountFetchError: self = .fetch(error)
        default: self = .unexpected("\(error)")
        }
    }

    package var code: ErrorCode {
        switch self {
        case let .plugin(error): error.code
        case let .fetch(error): error.code
        case .unexpected: .storageUnavailable
        case let .remembered(error, _): error.code
        }
    }

    package var description: String {
        switch self {
        case let .plugin(error): "\(error)"
        case let .fetch(error): "\(error)"
        case let .unexpected(reason): "cannot store the lease: \(reason)"
        case let .remembered(error, retryAt): Self.remembered("\(error)", retryAt: retryAt)
        }
    }

    /// A failure answered from memory instead of asking again: the one sentence both
    /// `AccountError` and `LeaseError` give, with when ccgd asks again.
    package static func remembered(_ failure: String, retryAt: Date) -> String {
        "\(failure) ccgd answers this until \(retryAt.formatted(.iso8601)) and tries again then; a reload tries at once."
    }
}
