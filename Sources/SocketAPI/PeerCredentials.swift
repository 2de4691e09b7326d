import Configuration
import NIOConcurrencyHelpers
import NIOCore
#if canImport(Glibc)
import Glibc
#endif

/// Who is at the other end of the Unix socket, from the kernel (SO_PEERCRED): not spoofable.
public struct PeerCredentials: Sendable, Equatable {
    public var pid: Int32
    public var uid: UInt32
    public var gid: UInt32

    public init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// Reads the peer of `channel`; `struct ucred` is hidden behind _GNU_SOURCE, so this mirrors
    /// its 12-byte layout.
    static func of(_ channel: Channel) -> EventLoopFuture<PeerCredentials?> {
        guard let provider = channel as? SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(nil) }
        return provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
            .map { (credentials: PeerCredentials) -> PeerCredentials? in credentials }
            .recover { _ in nil }
    }

    /// Whether the peer is this very process (the daemon's own watchdog probe): the kernel
    /// reports the process that connected, and no other has this pid while ccgd runs (the
    /// uid must match as well, a second fact no other peer can choose).
    public var isThisProcess: Bool { pid == getpid() && uid == geteuid() }
}

/// The policy in force, replaced when the configuration is reloaded.
public final class PeerPolicyBox: Sendable {
    private let current: NIOLockedValueBox<PeerPolicy>
    public init(_ policy: PeerPolicy) { current = NIOLockedValueBox(policy) }
    public var policy: PeerPolicy { current.withLockedValue { $0 } }
    public func replace(with policy: PeerPolicy) { current.withLockedValue { $0 = policy } }
}

/// Which peers may use the API (by uid, or by primary gid), and what a non-root one may do
/// with leases (see `LeaseAuthorization`).
public struct PeerPolicy: Sendable {
    public var allowedUIDs: Set<UInt32>
    public var allowedGIDs: Set<UInt32>
    /// Whether a request may carry its own CredSpec (credentialSpec).
    public var allowInlineCredSpecs: Bool
    /// Owners each non-root caller may create leases for besides itself, by caller uid.
    public var callers: [UInt32: ServiceConfiguration.Caller]
    /// Allow-lists of named CredSpecs, by name without `.json`.
    public var credSpecs: [String: ServiceConfiguration.CredSpecAccess]

    public init(allowedUIDs: Set<UInt32>, allowedGIDs: Set<UInt32>, allowInlineCredSpecs: Bool = false,
                callers: [ServiceConfiguration.Caller] = [], credSpecs: [ServiceConfiguration.CredSpecAccess] = []) {
        self.allowedUIDs = allowedUIDs
        self.allowedGIDs = allowedGIDs
        self.allowInlineCredSpecs = allowInlineCredSpecs
        self.callers = Dictionary(callers.map { ($0.uid, $0) }, uniquingKeysWith: { $1 })
        self.credSpecs = Dictionary(credSpecs.map { ($0.name, $0) }, uniquingKeysWith: { $1 })
    }

    public func allows(_ peer: PeerCredentials) -> Bool {
        // The daemon's own watchdog probe is always let through.
        allowedUIDs.contains(peer.uid) || allowedGIDs.contains(peer.gid) || peer.isThisProcess
    }
}
