import CredSpec

/// What a runtime asks for (POST /v1/leases), already parsed and checked for shape.
public struct LeaseRequest: Sendable {
    /// Where the CredSpec comes from.
    public enum Source: Sendable {
        case inline(CredentialSpec)
        /// A file in the CredSpec directory, with or without `.json`.
        case named(String)
    }

    public var source: Source
    public var owner: LeaseOwner
    public var containerID: String?
    /// Where the runtime mounts the lease directory inside the container.
    public var mountPath: String
    /// The uid of the peer asking (SO_PEERCRED): only it (and root) will see the lease.
    public var creator: UInt32?
    /// Where the lease's files go instead of `<runtime directory>/leases/<id>` (the ECS agent's
    /// layout); its parent must exist. Recorded, so a restart rewrites the same place.
    public var directory: String?

    public static let defaultMountPath = "/var/run/ccgd"

    public init(source: Source, owner: LeaseOwner, containerID: String? = nil, mountPath: String = defaultMountPath,
                creator: UInt32? = nil, directory: String? = nil) {
        self.source = source
        self.owner = owner
        self.containerID = containerID
        self.mountPath = mountPath
        self.creator = creator
        self.directory = directory
    }
}

/// The uid/gid that will own a lease's files (the container's user).
public struct LeaseOwner: Sendable, Hashable, Codable {
    public var uid: UInt32
    public var gid: UInt32

    public init(uid: UInt32, gid: UInt32) {
        self.uid = uid
        self.gid = gid
    }
}
