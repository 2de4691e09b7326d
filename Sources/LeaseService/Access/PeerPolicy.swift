import Configuration
import Synchronization
import Glibc

/// Who is at the other end of a front end's Unix socket, from the kernel (SO_PEERCRED): not spoofable.
package struct PeerCredentials: Sendable, Equatable {
    package var pid: Int32
    package var uid: UInt32
    package var gid: UInt32

    package init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// Whether the peer is this very process (the daemon's own watchdog probe): the kernel
    /// reports the process that connected, and no other has this pid while ccgd runs (the
    /// uid must match as well, a second fact no other peer can choose).
    package var isThisProcess: Bool { pid == getpid() && uid == geteuid() }
}

/// The policy in force, replaced when the configuration is reloaded.
package final class PeerPolicyBox: Sendable {
    private let current: Mutex<PeerPolicy>
    package init(_ policy: PeerPolicy) { current = Mutex(policy) }
    package var policy: PeerPolicy { current.withLock { $0 } }
    package func replace(with policy: PeerPolicy) { current.withLock { $0 = policy } }
}

/// Which peers may use the API (by uid, or by primary gid), and what a non-root one may do
/// with leases (see `LeaseAuthorization`).
package struct PeerPolicy: Sendable {
    package var allowedUIDs: Set<UInt32>
    package var allowedGIDs: Set<UInt32>
    /// Whether a request may carry its own CredSpec (credentialSpec).
    package var allowInlineCredSpecs: Bool
    /// Owners each non-root caller may create leases for besides itself, by caller uid.
    package var callers: [UInt32: ServiceConfiguration.Caller]
    /// Allow-lists of named CredSpecs, by name without `.json`.
    package var credSpecs: [String: ServiceConfiguration.CredSpecAccess]

    package init(
        allowedUIDs: Set<UInt32>, allowedGIDs: Set<UInt32>, allowInlineCredSpecs: Bool = false,
        callers: [ServiceConfiguration.Caller] = [], credSpecs: [ServiceConfiguration.CredSpecAccess] = []
    ) {
        self.allowedUIDs = allowedUIDs
        self.allowedGIDs = allowedGIDs
        self.allowInlineCredSpecs = allowInlineCredSpecs
        self.callers = Dictionary(callers.map { ($0.uid, $0) }, uniquingKeysWith: { $1 })
        self.credSpecs = Dictionary(credSpecs.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
    }

    package func allows(_ peer: PeerCredentials) -> Bool {
        // The daemon's own watchdog probe is always let through.
        allowedUIDs.contains(peer.uid) || allowedGIDs.contains(peer.gid) || peer.isThisProcess
    }
}
