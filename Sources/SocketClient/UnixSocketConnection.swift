import Glibc

/// One connected stream socket and the system calls the client makes on it.
struct UnixSocketConnection {
    let path: String
    private let fd: Int32

    /// A full accept queue (EAGAIN) is momentary: connecting is tried this often, this far apart.
    private static let connectAttempts = 40
    private static let connectPauseMicroseconds: UInt32 = 50_000

    init(path: String, timeoutSeconds: Int) throws(SocketClientError) {
        self.path = path
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SocketClientError(socketPath: path, reason: .cannotMakeSocket(errno: errno)) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        do { try connect() } catch {
            Glibc.close(fd)
            throw error
        }
    }

    func close() {
        Glibc.close(fd)
    }

    func failure(_ reason: SocketClientError.Reason) -> SocketClientError {
        SocketClientError(socketPath: path, reason: reason)
    }

    private func connect() throws(SocketClientError) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { throw failure(.pathTooLong(limit: capacity - 1)) }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        for attempt in 1...Self.connectAttempts {
            let result = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            if result == 0 { return }
            let code = errno
            if code == EINTR { continue }
            guard code == EAGAIN else { throw failure(.cannotConnect(errno: code)) }
            if attempt < Self.connectAttempts { usleep(Self.connectPauseMicroseconds) }
        }
        throw failure(.busy)
    }

    /// The uid the server runs as, as the kernel saw it at connect (SO_PEERCRED).
    func peerUID() throws(SocketClientError) -> UInt32 {
        // struct ucred: pid, uid, gid (Swift's Glibc module does not export it).
        var credentials: [UInt32] = [0, 0, 0]
        var length = socklen_t(MemoryLayout<UInt32>.size * 3)
        let result = credentials.withUnsafeMutableBytes { getsockopt(fd, SOL_SOCKET, SO_PEERCRED, $0.baseAddress, &length) }
        guard result == 0 else { throw failure(.cannotIdentifyServer(errno: errno)) }
        return credentials[1]
    }

    func write(_ bytes: [UInt8]) throws(SocketClientError) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw failure(.cannotSend(errno: errno)) }
            offset += count
        }
    }

    /// Everything until the server closes the connection, at most `limit` bytes.
    func readAll(limit: Int) throws(SocketClientError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 && errno == EINTR { continue }
            if count < 0 { throw failure(.cannotReceive(errno: errno)) }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
            if bytes.count > limit { throw failure(.answerTooLarge(limit: limit)) }
        }
    }
}
