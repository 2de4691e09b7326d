import CredSpec
import FoundationEssentials
import DirectoryPipeline
import DomainModel
import Observability
import PluginHost

/// Why a lease could not be created, read or deleted.
package indirect enum LeaseError: CodedError, Sendable {
    case credSpecInvalid(CredentialSpecError, source: String?)
    case credSpecNameInvalid(String)
    case credSpecNotFound(name: String, directory: String)
    /// The CredSpec's file is a symbolic link, or leads through one, out of the CredSpec directory.
    case credSpecOutside(name: String, link: String, target: String, directory: String)
    case notFound(LeaseID)
    case plugin(PluginHostError)
    case fetch(AccountFetchError)
    /// Writing the lease's files or record failed.
    case storage(String)
    /// The lease is deleted, but the directory its owner filled could not be removed.
    case directoryLeftBehind(id: LeaseID, path: String, reason: String)
    /// The daemon is stopping and takes no new leases.
    case shuttingDown
    /// The process the lease should share its life with is not there.
    case holderGone(LeaseHolder, HolderAbsence)
    /// The creator holds as many leases as it may.
    case quotaExceeded(creator: UInt32, quota: Int)
    /// The lease directories' file system is down to its reserve.
    case storageFull(path: String, freeBytes: UInt64, freeInodes: UInt64, reserve: StorageReserve)
    /// The CredSpec names a plug-in that serves another front end only.
    case pluginReserved(PluginGUID)
    /// A fetch of the same accounts failed a moment ago: its error, answered again until `retryAt`.
    case remembered(LeaseError, retryAt: Date)

    /// The same failure, as a lease's error.
    package init(_ error: AccountError) {
        switch error {
        case let .plugin(error): self = .plugin(error)
        case let .fetch(error): self = .fetch(error)
        case let .unexpected(reason): self = .storage(reason)
        case let .remembered(error, retryAt): self = .remembered(LeaseError(error), retryAt: retryAt)
        }
    }

    package var code: ErrorCode {
        switch self {
        case .credSpecInvalid: .credspecInvalid
        case .credSpecNameInvalid: .badRequest
        case .credSpecNotFound: .credspecNotFound
        case .credSpecOutside: .credspecInvalid
        case .notFound: .notFound
        case let .plugin(error): error.code
        case let .fetch(error): error.code
        case .storage, .directoryLeftBehind: .storageUnavailable
        case .shuttingDown: .directoryUnreachable
        case .holderGone: .holderGone
        case .quotaExceeded: .quotaExceeded
        case .storageFull: .storageFull
        case .pluginReserved: .forbidden
        case let .remembered(error, _): error.code
        }
    }

    /// The JSON path of the bad input, when there is one.
    package var field: String? {
        switch self {
        case let .credSpecInvalid(error, _): error.field.map { "credentialSpec." + $0 }
        case let .remembered(error, _): error.field
        case .credSpecNameInvalid, .credSpecNotFound, .credSpecOutside: "credentialSpecName"
        case .holderGone: "holder"
        default: nil
        }
    }

    package var description: String {
        switch self {
        case let .credSpecInvalid(error, source):
            return source.map { "CredSpec \($0): \(error)" } ?? "\(error)"
        case let .credSpecNameInvalid(name):
            return "credentialSpecName \(CredSpecName.Invalid(name: name))"
        case let .credSpecNotFound(name, directory):
            return "no CredSpec \(name) in \(directory); create it there (ccgctl credspec new) or send the CredSpec inline."
        case let .credSpecOutside(name, link, target, directory):
            return
                "CredSpec \(name) leads out of the CredSpec directory \(directory): \(link) points to \(target); a symbolic link is followed only to a file inside the directory (as a ConfigMap's NAME.json -> ..data/NAME.json), so copy the CredSpec into it."
        case let .notFound(id):
            return "no lease \(id); it has ended or was never made (list the leases to see which there are)."
        case let .plugin(error): return "\(error)"
        case let .fetch(error): return "\(error)"
        case let .storage(reason): return "cannot store the lease: \(reason)"
        case let .directoryLeftBehind(id, path, reason):
            return "lease \(id) is deleted, but its directory \(path) could not be removed (\(reason)); remove it by hand."
        case .shuttingDown: return "ccgd is shutting down and takes no new leases; retry when it is back."
        case let .holderGone(holder, absence):
            return "the lease's holder, \(holder), is not running (\(absence)); name a process that runs, such as the container's init process."
        case let .quotaExceeded(creator, quota):
            return
                "uid \(creator) already holds \(quota) leases, as many as it may; delete some (GET /v1/leases lists them) or raise max-leases in [caller \"\(creator)\"] of ccgd.conf."
        case let .storageFull(path, freeBytes, freeInodes, reserve):
            return
                "the file system of \(path) is down to its reserve (\(freeBytes / 1024) KiB and \(freeInodes) inodes free; ccgd keeps \(reserve.percent)% and \(reserve.inodes) inodes for others); delete leases or give it more room."
        case let .remembered(error, retryAt):
            return AccountError.remembered("\(error)", retryAt: retryAt)
        case let .pluginReserved(guid):
            return
                "plug-in \(guid) serves one front end only (the ECS agent's provided credentials); name the CredSpec's plug-in of a secret store instead (see docs/writing-a-plugin.md)."
        }
    }
}
