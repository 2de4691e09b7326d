import CredentialGuard
import SocketAPI

/// Who owns the files of an ECS lease's gMSA directory and who besides reads them. The agent
/// passes no uid and mounts the directory into the task as it is, so the operator says which user
/// (or group) the tasks run as: `[ecs]` `lease-uid`, `lease-gid`, `lease-mode`, and per gMSA
/// `[ecs-gmsa "NAME"]`. Unset, the owner is the caller (the agent: root) and only it reads.
public struct ECSLeaseOwnership: Sendable, Equatable {
    /// nil: the caller's uid.
    public var uid: UInt32?
    /// nil: the caller's primary gid.
    public var gid: UInt32?
    public var access: LeaseFileAccess

    public init(uid: UInt32? = nil, gid: UInt32? = nil, access: LeaseFileAccess = .owner) {
        self.uid = uid
        self.gid = gid
        self.access = access
    }

    func owner(for peer: PeerCredentials) -> LeaseOwner {
        LeaseOwner(uid: uid ?? peer.uid, gid: gid ?? peer.gid)
    }
}
