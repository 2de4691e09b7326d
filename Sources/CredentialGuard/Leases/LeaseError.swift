import CredSpec

/// Why a lease could not be created, read or deleted.
public enum LeaseError: CodedError, Sendable {
    case credSpecInvalid(CredentialSpecError, source: String?)
    case credSpecNameInvalid(String)
    case credSpecNotFound(name: String, directory: String)
    case notFound(LeaseID?)
    case plugin(PluginHostError)
    case fetch(AccountFetchError)
    /// Writing the lease's files or record failed.
    case storage(String)
    /// The lease is deleted, but the directory its owner filled could not be removed.
    case directoryLeftBehind(id: LeaseID, path: String, reason: String)
    /// The daemon is stopping and takes no new leases.
    case shuttingDown

    public var code: ErrorCode {
        switch self {
        case .credSpecInvalid: .credspecInvalid
        case .credSpecNameInvalid: .badRequest
        case .credSpecNotFound: .credspecNotFound
        case .notFound: .notFound
        case let .plugin(error): error.code
        case let .fetch(error): error.code
        case .storage, .directoryLeftBehind: .storageUnavailable
        case .shuttingDown: .directoryUnreachable
        }
    }

    /// The JSON path of the bad input, when there is one.
    public var field: String? {
        switch self {
        case let .credSpecInvalid(error, _): error.field.map { "credentialSpec." + $0 }
        case .credSpecNameInvalid, .credSpecNotFound: "credentialSpecName"
        default: nil
        }
    }

    public var description: String {
        switch self {
        case let .credSpecInvalid(error, source):
            return source.map { "CredSpec \($0): \(error)" } ?? "\(error)"
        case let .credSpecNameInvalid(name):
            return "credentialSpecName \"\(name)\" is not the plain name of a file in the CredSpec directory; give a name like WebApp01 or WebApp01.json."
        case let .credSpecNotFound(name, directory):
            return "no CredSpec \(name) in \(directory); create it there (ccgctl credspec new) or send the CredSpec inline."
        case let .notFound(id):
            return id.map { "no lease \($0); list them with GET /v1/leases." } ?? "no such route; see the API (GET /v1/health, /v1/leases, /v1/accounts)."
        case let .plugin(error): return "\(error)"
        case let .fetch(error): return "\(error)"
        case let .storage(reason): return "cannot store the lease: \(reason)"
        case let .directoryLeftBehind(id, path, reason):
            return "lease \(id) is deleted, but its directory \(path) could not be removed (\(reason)); remove it by hand."
        case .shuttingDown: return "ccgd is shutting down and takes no new leases; retry when it is back."
        }
    }
}
