import Glibc

/// Who besides root may read a lease's files. Every file belongs to the lease's owner (uid and
/// gid); `group` also lets the members of the owner's gid read them, for a container that is known
/// by its group rather than its user (an ECS task whose user the agent never tells, a pod's
/// fsGroup). Nobody else ever reads or lists them.
package enum LeaseFileAccess: String, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The owner's uid only: the directory 0700, its files 0600.
    case owner
    /// The owner's uid, and its gid for reading: the directory 0750, its files 0640.
    case group

    var directoryMode: mode_t { self == .group ? 0o750 : 0o700 }
    var fileMode: mode_t { self == .group ? 0o640 : 0o600 }

    package var description: String { rawValue }
}
