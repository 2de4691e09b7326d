import Glibc

/// Who owns a file the daemon writes, and with which mode.
package struct FileOwnership: Sendable, Hashable {
    package var uid: uid_t?
    package var gid: gid_t?
    package var mode: mode_t

    /// 0600 for the calling user: the default for anything that holds a key.
    package static let privateToCaller = FileOwnership(uid: nil, gid: nil, mode: 0o600)

    package init(uid: uid_t? = nil, gid: gid_t? = nil, mode: mode_t) {
        self.uid = uid
        self.gid = gid
        self.mode = mode
    }
}
