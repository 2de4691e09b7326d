import ContainerRequest
import CredSpec
import FoundationEssentials

/// What a runtime asks for (POST /v1/leases), already parsed and checked for shape.
package struct LeaseRequest: Sendable {
    /// Where the CredSpec comes from.
    package enum Source: Sendable {
        case inline(CredentialSpec)
        /// A file in the CredSpec directory, with or without `.json`.
        case named(String)
    }

    package var source: Source
    package var owner: LeaseOwner
    /// Who besides the owner's uid reads the files: nobody (default), or the owner's gid.
    package var fileAccess: LeaseFileAccess
    package var containerID: String?
    /// Where the runtime mounts the lease directory inside the container.
    package var mountPath: String
    /// The uid of the peer asking (SO_PEERCRED): only it (and root) will see the lease.
    package var creator: UInt32
    /// The primary gid of the peer asking: with `creator`, what the access policy checks again
    /// at every reload.
    package var creatorGID: UInt32?
    /// Where the lease's files go instead of `<runtime directory>/leases/<id>` (the ECS agent's
    /// layout); its parent must exist. Recorded, so a restart rewrites the same place.
    package var directory: String?
    /// The process whose exit ends the lease (a container's init process); nil: none.
    package var holder: LeaseHolder?
    /// When the lease ends by itself; nil: never (it ends with its holder, or when deleted).
    package var expiresAt: Date?
    /// The caller asks for the lease's owner (the OCI hook for a container): the access policy
    /// applies to the owner's uid and gid, not to the caller's.
    package var onBehalfOfOwner: Bool
    /// The front end that took the request (`api`, `ecs`, …): its rules decide, at every reload,
    /// whether the lease may stay.
    package var frontEnd: String
    /// A plug-in reserved to one front end that this request may use (the ECS agent's provided
    /// credentials); every other reserved plug-in is refused.
    package var reservedPlugin: PluginGUID?
    /// Recorded with the lease for its front end (`Lease.frontEndDetails`); never a secret.
    package var frontEndDetails: [String: String] = [:]
    /// The Kubernetes pod of the container a runtime hook asks for (the OCI hook reads it from
    /// the runtime's annotations): such a request gets only a named CredSpec whose
    /// `[credspec]` section sets `oci-hook-in-pods = yes` (`PeerPolicy.hookInPodRefusal`), at
    /// creation and at every reload. A front end that authorizes pods itself (the CSI volume,
    /// by service account) leaves it nil.
    package var kubernetesPod: KubernetesPod?

    package static let defaultMountPath = LeaseLayout.defaultMountPath
    /// The socket API's name in `frontEnd`.
    package static let socketAPI = "api"

    package init(
        source: Source, owner: LeaseOwner, fileAccess: LeaseFileAccess = .owner, containerID: String? = nil, mountPath: String = defaultMountPath,
        creator: UInt32 = 0, creatorGID: UInt32? = nil, directory: String? = nil, holder: LeaseHolder? = nil,
        expiresAt: Date? = nil, onBehalfOfOwner: Bool = false, frontEnd: String = socketAPI,
        reservedPlugin: PluginGUID? = nil, frontEndDetails: [String: String] = [:], kubernetesPod: KubernetesPod? = nil
    ) {
        self.source = source
        self.owner = owner
        self.fileAccess = fileAccess
        self.containerID = containerID
        self.mountPath = mountPath
        self.creator = creator
        self.creatorGID = creatorGID
        self.directory = directory
        self.holder = holder
        self.expiresAt = expiresAt
        self.onBehalfOfOwner = onBehalfOfOwner
        self.frontEnd = frontEnd
        self.reservedPlugin = reservedPlugin
        self.frontEndDetails = frontEndDetails
        self.kubernetesPod = kubernetesPod
    }
}

/// The uid/gid that will own a lease's files (the container's user).
package struct LeaseOwner: Sendable, Hashable, Codable {
    package var uid: UInt32
    package var gid: UInt32

    package init(uid: UInt32, gid: UInt32) {
        self.uid = uid
        self.gid = gid
    }
}
