import Configuration
import Observability

/// What one peer may do with leases, decided from the policy alone (no I/O): root may do
/// anything; any other peer creates leases owned by itself or by the owners its
/// `[caller "UID"]` grants, uses a named CredSpec only if that CredSpec's allow-list (if any)
/// names it, and sees only the leases it created. Inline CredSpecs need
/// `allow-inline-credspecs`, for root too: they bypass the operator's choice of CredSpecs. A
/// container of a Kubernetes pod gets only what `PeerPolicy.podRefusal` allows, root's hook too.
package struct LeaseAuthorization: Sendable {
    /// Why a request is refused: a 403 with a stable code, naming the key to change.
    package struct Refusal: CodedError, Equatable {
        package let code: ErrorCode
        package let description: String
        /// The request field at fault.
        package let field: String
    }

    package let policy: PeerPolicy
    package let peer: PeerCredentials

    package init(policy: PeerPolicy, peer: PeerCredentials) {
        self.policy = policy
        self.peer = peer
    }

    private var isRoot: Bool { peer.uid == 0 }

    /// The reason `request` may not be served, or nil when it may.
    package func refusal(of request: LeaseRequest) -> Refusal? {
        if let pod = request.kubernetesPod {
            let name: String?
            switch request.source {
            case .inline: name = nil
            case let .named(text): name = text
            }
            // First: for root too, and whatever else the request may be allowed.
            if let refusal = policy.podRefusal(pod, credentialSpecName: name) { return Refusal(code: .forbidden, description: refusal, field: "kubernetesPod") }
        }
        switch request.source {
        case .inline:
            guard policy.allowInlineCredSpecs else {
                return Refusal(
                    code: .credspecInlineDisabled,
                    description:
                        "inline CredSpecs are turned off; name a CredSpec of the CredSpec directory with credentialSpecName, or set allow-inline-credspecs = yes in [daemon] of ccgd.conf.",
                    field: "credentialSpec")
            }
        case let .named(text):
            if let refusal = credSpecRefusal(text, owner: request.owner, onBehalfOfOwner: request.onBehalfOfOwner) {
                return Refusal(code: .forbidden, description: refusal, field: "credentialSpecName")
            }
        }
        guard !isRoot else { return nil }
        if let refusal = ownerRefusal(request.owner) { return Refusal(code: .forbidden, description: refusal.description, field: refusal.field) }
        return nil
    }

    /// Why `lease` may no longer be held under this policy (the peer is its creator), or nil:
    /// what a reload or a restart checks of every lease the socket API made.
    package func refusal(toKeep lease: Lease) -> String? {
        if let refusal = creatorRefusal(toKeep: lease) { return refusal }
        if let refusal = policy.podRefusal(toKeep: lease) { return refusal }
        if let name = lease.credentialSpecName {
            if let refusal = credSpecRefusal(name, owner: lease.owner, onBehalfOfOwner: lease.onBehalfOfOwner) { return refusal }
        } else if !policy.allowInlineCredSpecs {
            return "inline CredSpecs are turned off (allow-inline-credspecs in [daemon])"
        }
        if !isRoot, let refusal = ownerRefusal(lease.owner) { return refusal.description }
        return nil
    }

    /// Why `lease` may no longer be held because its creator (the peer) may no longer call at
    /// all: what every front end checks of its leases at a reload or a restart.
    package func creatorRefusal(toKeep lease: Lease) -> String? {
        guard !isRoot, !policy.allowedUIDs.contains(peer.uid), !(lease.creatorGID.map(policy.allowedGIDs.contains) ?? true) else { return nil }
        return "its creator, uid \(peer.uid), is no longer in allowed-uids or allowed-gids of [daemon]"
    }

    /// Whether the peer may call at all: in allowed-uids or allowed-gids.
    package var mayCall: Bool { policy.allowedUIDs.contains(peer.uid) || policy.allowedGIDs.contains(peer.gid) }

    /// Why the named CredSpec `text` may not be used for a lease of `owner`: its allow-list
    /// applies to the peer, or to the owner when the peer asks on the owner's behalf (the OCI
    /// hook, for a container: then a root container is held to the list like any other).
    private func credSpecRefusal(_ text: String, owner: LeaseOwner, onBehalfOfOwner: Bool) -> String? {
        let name = ServiceConfiguration.CredSpecAccess.plainName(text)
        guard let access = policy.credSpecs[name], access.restrictsUse else { return nil }
        let (uid, gid) = onBehalfOfOwner ? (owner.uid, owner.gid) : (peer.uid, peer.gid)
        if !onBehalfOfOwner && isRoot { return nil }
        guard !access.allowedUIDs.contains(uid) && !access.allowedGIDs.contains(gid) else { return nil }
        let who = onBehalfOfOwner ? "the lease's owner, uid \(uid), gid \(gid) (uid \(peer.uid) asks on its behalf)," : "uid \(uid), gid \(gid)"
        return "\(who) may not use CredSpec \(name); add it to allowed-uids or allowed-gids in [credspec \"\(name)\"] of ccgd.conf."
    }

    /// Why this non-root peer may not create a lease owned by `owner`.
    private func ownerRefusal(_ owner: LeaseOwner) -> (description: String, field: String)? {
        let grant = policy.callers[peer.uid]
        if owner.uid != peer.uid && !(grant?.ownerUIDs.contains(owner.uid) ?? false) {
            return (
                "uid \(peer.uid) may not create a lease owned by uid \(owner.uid); leave owner out (you own it), or add \(owner.uid) to owner-uids in [caller \"\(peer.uid)\"] of ccgd.conf.",
                "owner.uid"
            )
        }
        if owner.gid != peer.gid && !(grant?.ownerGIDs.contains(owner.gid) ?? false) {
            return (
                "uid \(peer.uid) may not create a lease owned by gid \(owner.gid); give your own gid \(peer.gid), or add \(owner.gid) to owner-gids in [caller \"\(peer.uid)\"] of ccgd.conf.",
                "owner.gid"
            )
        }
        return nil
    }

    /// Whether the peer may see, read and delete a lease `creator` made; any other lease is
    /// "not found" to it.
    package func maySee(leaseCreatedBy creator: UInt32) -> Bool {
        isRoot || creator == peer.uid
    }

    package func maySee(_ lease: Lease) -> Bool { maySee(leaseCreatedBy: lease.creator) }
}
