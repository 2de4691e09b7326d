import Configuration
import CredentialGuard

/// What one peer may do with leases, decided from the policy alone (no I/O): root may do
/// anything; any other peer creates leases owned by itself or by the owners its
/// `[caller "UID"]` grants, uses a named CredSpec only if that CredSpec's allow-list (if any)
/// names it, and sees only the leases it created. Inline CredSpecs need
/// `allow-inline-credspecs`, for root too: they bypass the operator's choice of CredSpecs.
public struct LeaseAuthorization: Sendable {
    /// Why a request is refused: a 403 with a stable code, naming the key to change.
    public struct Refusal: CodedError, Equatable {
        public let code: ErrorCode
        public let description: String
        /// The request field at fault.
        public let field: String
    }

    public let policy: PeerPolicy
    public let peer: PeerCredentials

    public init(policy: PeerPolicy, peer: PeerCredentials) {
        self.policy = policy
        self.peer = peer
    }

    private var isRoot: Bool { peer.uid == 0 }

    /// The reason `request` may not be served, or nil when it may.
    public func refusal(of request: LeaseRequest) -> Refusal? {
        switch request.source {
        case .inline:
            guard policy.allowInlineCredSpecs else {
                return Refusal(
                    code: .credspecInlineDisabled,
                    description: "inline CredSpecs are turned off; name a CredSpec of the CredSpec directory with credentialSpecName, or set allow-inline-credspecs = yes in [daemon] of ccgd.conf.",
                    field: "credentialSpec")
            }
        case let .named(text):
            let name = ServiceConfiguration.CredSpecAccess.plainName(text)
            if !isRoot, let access = policy.credSpecs[name],
               !access.allowedUIDs.contains(peer.uid) && !access.allowedGIDs.contains(peer.gid) {
                return Refusal(
                    code: .forbidden,
                    description: "uid \(peer.uid), gid \(peer.gid) may not use CredSpec \(name); add it to allowed-uids or allowed-gids in [credspec \"\(name)\"] of ccgd.conf.",
                    field: "credentialSpecName")
            }
        }
        guard !isRoot else { return nil }
        let grant = policy.callers[peer.uid]
        if request.owner.uid != peer.uid && !(grant?.ownerUIDs.contains(request.owner.uid) ?? false) {
            return Refusal(
                code: .forbidden,
                description: "uid \(peer.uid) may not create a lease owned by uid \(request.owner.uid); leave owner out (you own it), or add \(request.owner.uid) to owner-uids in [caller \"\(peer.uid)\"] of ccgd.conf.",
                field: "owner.uid")
        }
        if request.owner.gid != peer.gid && !(grant?.ownerGIDs.contains(request.owner.gid) ?? false) {
            return Refusal(
                code: .forbidden,
                description: "uid \(peer.uid) may not create a lease owned by gid \(request.owner.gid); give your own gid \(peer.gid), or add \(request.owner.gid) to owner-gids in [caller \"\(peer.uid)\"] of ccgd.conf.",
                field: "owner.gid")
        }
        return nil
    }

    /// Whether the peer may see, read and delete a lease `creator` made; any other lease is
    /// "not found" to it. A lease of unknown creator (recorded by an older ccgd) is root's.
    public func maySee(leaseCreatedBy creator: UInt32?) -> Bool {
        isRoot || creator == peer.uid
    }

    public func maySee(_ lease: Lease) -> Bool { maySee(leaseCreatedBy: lease.creator) }
}
