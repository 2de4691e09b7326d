import NIOCore
import Glibc
import LeaseService

/// The kernel's word on who called (SO_PEERCRED), read once per connection when it is accepted
/// and handed to each of its RPCs; a client cannot claim another identity.
enum PeerIdentity {
    /// Reads the peer of a connection (`struct ucred`, 12 bytes: pid, uid, gid).
    static func credentials(of channel: any Channel) -> EventLoopFuture<PeerCredentials?> {
        guard let provider = channel as? any SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(nil) }
        return provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
            .map { (credentials: PeerCredentials) -> PeerCredentials? in credentials }
            .recover { _ in nil }
    }
}
