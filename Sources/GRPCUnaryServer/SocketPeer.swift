import Glibc
import NIOCore

/// The kernel's word on who is at the other end of a Unix socket connection (SO_PEERCRED), read
/// once when it is accepted: a client cannot claim another identity.
package struct SocketPeer: Sendable, Equatable {
    package let pid: Int32
    package let uid: UInt32
    package let gid: UInt32

    package init(pid: Int32, uid: UInt32, gid: UInt32) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
    }

    /// The peer of `channel`; nil when it is not a Unix socket or the kernel would not say.
    package static func of(_ channel: any Channel) -> EventLoopFuture<SocketPeer?> {
        guard let provider = channel as? any SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(nil) }
        return provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
            .map { (credentials: KernelCredentials) -> SocketPeer? in SocketPeer(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid) }
            .recover { _ in nil }
    }
}

/// `struct ucred` (12 bytes: pid, uid, gid), which Glibc exports only under _GNU_SOURCE.
private struct KernelCredentials {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}
