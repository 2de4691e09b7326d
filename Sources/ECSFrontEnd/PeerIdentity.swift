import GRPCCore
import NIOCore
import NIOHPACK
import NIOHTTP2
import SocketAPI
#if canImport(Glibc)
import Glibc
#endif

/// The kernel's word on who called (SO_PEERCRED), handed to the RPCs: a transport callback stamps
/// every stream's request headers with the peer's uid and gid, replacing whatever the client
/// sent, and each RPC answers PERMISSION_DENIED to a peer the allow-list does not name.
enum PeerIdentity {
    static let uidHeader = "x-ccgd-peer-uid"
    static let gidHeader = "x-ccgd-peer-gid"

    /// Reads the peer of a connection (`struct ucred`, 12 bytes: pid, uid, gid).
    static func credentials(of channel: any Channel) -> EventLoopFuture<PeerCredentials?> {
        guard let provider = channel as? any SocketOptionProvider else { return channel.eventLoop.makeSucceededFuture(nil) }
        return provider.unsafeGetSocketOption(level: SocketOptionLevel(SOL_SOCKET), name: SocketOptionName(SO_PEERCRED))
            .map { (credentials: PeerCredentials) -> PeerCredentials? in credentials }
            .recover { _ in nil }
    }

    /// A new stream: its headers carry the connection's peer from now on.
    static func stamp(_ stream: any Channel) -> EventLoopFuture<Void> {
        // Without a connection to ask, the handler still strips what the client claims.
        let peer = stream.parent.map { credentials(of: $0) } ?? stream.eventLoop.makeSucceededFuture(nil)
        return peer.flatMapThrowing { peer in
            try stream.pipeline.syncOperations.addHandler(PeerHeaderHandler(peer: peer), position: .first)
        }
    }

    /// The peer an RPC's headers name; nil when the transport did not stamp them.
    static func peer(of metadata: Metadata) -> PeerCredentials? {
        guard let uid = metadata[stringValues: uidHeader].first(where: { _ in true }).flatMap(UInt32.init),
              let gid = metadata[stringValues: gidHeader].first(where: { _ in true }).flatMap(UInt32.init) else { return nil }
        return PeerCredentials(pid: 0, uid: uid, gid: gid)
    }
}

/// Replaces the peer headers of a stream's request head with the kernel's answer.
private final class PeerHeaderHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTP2Frame.FramePayload
    typealias InboundOut = HTTP2Frame.FramePayload

    private let peer: PeerCredentials?
    private var stamped = false

    init(peer: PeerCredentials?) { self.peer = peer }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var payload = unwrapInboundIn(data)
        if !stamped, case var .headers(headers) = payload {
            stamped = true
            headers.headers.remove(name: PeerIdentity.uidHeader)
            headers.headers.remove(name: PeerIdentity.gidHeader)
            if let peer {
                headers.headers.add(name: PeerIdentity.uidHeader, value: String(peer.uid))
                headers.headers.add(name: PeerIdentity.gidHeader, value: String(peer.gid))
            }
            payload = .headers(headers)
        }
        context.fireChannelRead(wrapInboundOut(payload))
    }
}
