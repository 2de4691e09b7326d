import CredSpec
import DomainModel
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// A runtime's claim on a CredSpec's identities: a directory the daemon keeps fresh until the
/// lease is deleted.
public struct Lease: Sendable {
    public let id: LeaseID
    /// A named CredSpec's lease follows its file: a changed file is adopted at reload and restart.
    public internal(set) var credentialSpec: CredentialSpec
    /// The CredSpec file's name when the request named one.
    public let credentialSpecName: String?
    public let owner: LeaseOwner
    /// Who besides the owner's uid reads the files (`LeaseRequest.fileAccess`).
    public let fileAccess: LeaseFileAccess
    public let containerID: String?
    public let mountPath: String
    public let createdAt: Date
    /// The uid of the peer that created it; nil for a lease recorded before ccgd kept it (root's only).
    public let creator: UInt32?
    /// The primary gid of that peer; nil for a lease recorded before ccgd kept it.
    public let creatorGID: UInt32?
    /// The directory holding the files, under the runtime directory.
    public let directory: String
    /// The process whose exit ends the lease; nil: none.
    public let holder: LeaseHolder?
    /// When the lease ends by itself; nil: never.
    public let expiresAt: Date?
    /// Asked for on behalf of its owner: the access policy applies to the owner.
    public let onBehalfOfOwner: Bool
    /// The front end that created it (`LeaseRequest.frontEnd`).
    public let frontEnd: String
    /// The state of its identities, refreshed as the accounts change.
    public var identities: [LeaseIdentity]
    public var ticketExpiresAt: Date?
    public var refreshAt: Date?

    /// The gMSA whose name the container carries on the network.
    public var hostname: String { identities.first.map { AccountName($0.account).bare } ?? "" }
}

/// One account of a lease as the API shows it.
public struct LeaseIdentity: Sendable, Equatable {
    public let account: String
    public let realm: String
    public let principal: String
    /// The ccache file of this identity, relative to the lease directory.
    public let ccache: String
    public let kvno: UInt32
    public let enctypes: [String]
    public let servicePrincipalNames: [String]
}
