import ContainerRequest
import CredSpec
import DomainModel
import FoundationEssentials
import Glibc

/// A runtime's claim on a CredSpec's identities: a directory the daemon keeps fresh until the
/// lease is deleted.
package struct Lease: Sendable {
    package let id: LeaseID
    /// A named CredSpec's lease follows its file: a changed file is adopted at reload and restart.
    package internal(set) var credentialSpec: CredentialSpec
    /// The CredSpec file's name when the request named one.
    package let credentialSpecName: String?
    package let owner: LeaseOwner
    /// Who besides the owner's uid reads the files (`LeaseRequest.fileAccess`).
    package let fileAccess: LeaseFileAccess
    package let containerID: String?
    package let mountPath: String
    package let createdAt: Date
    /// The uid of the peer that created it (0, root, for a lease ccgd made itself).
    package let creator: UInt32
    /// The primary gid of that peer; nil when the request named none (then only the uid is checked).
    package let creatorGID: UInt32?
    /// The directory holding the files, under the runtime directory.
    package let directory: String
    /// The process whose exit ends the lease; nil: none.
    package let holder: LeaseHolder?
    /// When the lease ends by itself; nil: never.
    package let expiresAt: Date?
    /// Asked for on behalf of its owner: the access policy applies to the owner.
    package let onBehalfOfOwner: Bool
    /// The front end that created it (`LeaseRequest.frontEnd`).
    package let frontEnd: String
    /// What that front end keeps of the lease to find it again and check it at every reload
    /// (the CSI front end: the pod's service account and the volume's target path); never a secret.
    package var frontEndDetails: [String: String] = [:]
    /// The state of its identities, refreshed as the accounts change.
    package var identities: [LeaseIdentity]
    package var ticketExpiresAt: Date?
    package var refreshAt: Date?
    /// The Kubernetes pod of its container (`LeaseRequest.kubernetesPod`), checked again at every reload.
    package var kubernetesPod: KubernetesPod? = nil

    /// The gMSA whose name the container carries on the network.
    package var hostname: String { identities.first.map { AccountName($0.account).bare } ?? "" }
}

/// One account of a lease as the API shows it.
package struct LeaseIdentity: Sendable, Equatable {
    package let account: String
    package let realm: String
    package let principal: String
    /// The ccache file of this identity, relative to the lease directory.
    package let ccache: String
    package let kvno: UInt32
    package let enctypes: [String]
    package let servicePrincipalNames: [String]
}
