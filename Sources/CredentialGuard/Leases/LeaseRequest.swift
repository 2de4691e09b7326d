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

    public static let defaultMountPath = "/var/run/ccgd"

    public init(source: Source, owner: LeaseOwner, containerID: String? = nil, mountPath: String = defaultMountPath) {
        self.source = source
        self.owner = owner
        self.containerID = containerID
        self.mountPath = mountPath
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
