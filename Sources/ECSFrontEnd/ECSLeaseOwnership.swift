import LeaseService

/// Who owns the files of an ECS lease's gMSA directory and who besides reads them. The agent
/// passes no uid and mounts the directory into the task as it is, so the operator says which user
/// (or group) the tasks run as: `[ecs]` `lease-uid`, `lease-gid`, `lease-mode`, and per gMSA
/// `[ecs-gmsa "NAME"]`. Unset, the owner is the caller (the agent: root) and only it reads.
package struct ECSLeaseOwnership: Sendable, Equatable {
    /// nil: the caller's uid.
    package var uid: UInt32?
    /// nil: the caller's primary gid.
    package var gid: UInt32?
    package var access: LeaseFileAccess

    package init(uid: UInt32? = nil, gid: UInt32? = nil, access: LeaseFileAccess = .owner) {
        self.uid = uid
        self.gid = gid
        self.access = access
    }

    func owner(for peer: PeerCredentials) -> LeaseOwner {
        LeaseOwner(uid: uid ?? peer.uid, gid: gid ?? peer.gid)
    }
}
