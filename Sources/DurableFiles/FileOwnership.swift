import Glibc

/// Who owns a file the daemon writes, and with which mode.
public struct FileOwnership: Sendable, Hashable {
    public var uid: uid_t?
    public var gid: gid_t?
    public var mode: mode_t

    /// 0600 for the calling user: the default for anything that holds a key.
    public static let privateToCaller = FileOwnership(uid: nil, gid: nil, mode: 0o600)

    public init(uid: uid_t? = nil, gid: gid_t? = nil, mode: mode_t) {
        self.uid = uid
        self.gid = gid
        self.mode = mode
    }
}
