import LeaseService
import NIOCore
import Glibc

extension PeerCredentials {
    /// Reads the peer of `channel`; `struct ucred` is hidden behind _GNU_SOURCE, so this mirrors
    /// its 12-byte layout.
    static func of(_ channel: Channel) -> EventLoopFuture<PeerCredentials?> {
        guard let provider = channel as? SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(nil) }
        return provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
            .map { (credentials: PeerCredentials) -> PeerCredentials? in credentials }
            .recover { _ in nil }
    }
}
