#if canImport(Glibc)
import Glibc
#endif

/// HTTP/1.1 on ccgd's Unix socket, synchronously: one request per connection (`connection:
/// close`), the answer read to its end. No threads: the hook must stay single-threaded to enter
/// the container's mount namespace (setns refuses a process that shares its file system state).
struct UnixHTTPClient {
    struct Response {
        let status: Int
        let body: [UInt8]
    }

    let socketPath: String
    /// The uid ccgd runs as besides root: a server of any other user is not asked anything.
    let daemonUID: UInt32
    /// Longest wait for ccgd's answer: a lease for an account not yet cached needs the DC.
    var timeoutSeconds = 100

    func send(_ method: String, _ target: String, body: [UInt8]? = nil) throws(HookFailure) -> Response {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw HookFailure("cannot make a socket: \(systemError(errno))") }
        defer { close(fd) }
        var timeout = timeval(tv_sec: timeoutSeconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        try connect(fd)
        try checkPeer(fd)

        var request = "\(method) \(target) HTTP/1.1\r\nhost: ccgd\r\nconnection: close\r\n"
        if let body { request += "content-type: application/json\r\ncontent-length: \(body.count)\r\n" }
        request += "\r\n"
        try write(fd, Array(request.utf8) + (body ?? []))
        guard let answer = FileBytes.readAll(fd) else {
            throw HookFailure("ccgd at \(socketPath) did not answer \(method) \(target) (\(systemError(errno))); see its log (journalctl -u ccgd).")
        }
        return try Self.parse(answer, method: method, target: target)
    }

    private func connect(_ fd: Int32) throws(HookFailure) {
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8)
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard path.count < capacity else { throw HookFailure("the socket path \(socketPath) is longer than \(capacity - 1) bytes; give a shorter --socket.") }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard result == 0 else {
            throw HookFailure("cannot connect to ccgd at \(socketPath) (\(systemError(errno))); is ccgd running (systemctl status ccgd), or is --socket in the hook's file wrong?")
        }
    }

    /// The kernel's word on who listens (SO_PEERCRED): whoever can put a socket at the path must
    /// not get the container's id, nor make the hook mount what it answers.
    private func checkPeer(_ fd: Int32) throws(HookFailure) {
        // struct ucred: pid, uid, gid (Swift's Glibc module does not export it).
        var credentials: [UInt32] = [0, 0, 0]
        var length = socklen_t(MemoryLayout<UInt32>.size * 3)
        let result = credentials.withUnsafeMutableBytes { getsockopt(fd, SOL_SOCKET, SO_PEERCRED, $0.baseAddress, &length) }
        guard result == 0 else { throw HookFailure("cannot learn who listens on \(socketPath) (\(systemError(errno))); the hook asks only ccgd.") }
        let uid = credentials[1]
        guard uid == 0 || uid == daemonUID else {
            throw HookFailure("the server on \(socketPath) runs as uid \(uid), neither root nor ccgd's uid \(daemonUID) (--daemon-uid); is --socket ccgd's socket?")
        }
    }

    private func write(_ fd: Int32, _ bytes: [UInt8]) throws(HookFailure) {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw HookFailure("cannot send the request to ccgd at \(socketPath): \(systemError(errno))") }
            offset += count
        }
    }

    /// The status and the body (ccgd always sends content-length).
    static func parse(_ answer: [UInt8], method: String, target: String) throws(HookFailure) -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = answer.indices.first(where: { answer[$0...].starts(with: separator) }) else {
            throw HookFailure("ccgd's answer to \(method) \(target) ended before its headers did; see its log (journalctl -u ccgd).")
        }
        let head = String(decoding: answer[..<end], as: UTF8.self)
        let lines = head.split(separator: "\r\n")
        let statusWords = lines.first?.split(separator: " ") ?? []
        guard statusWords.count >= 2, statusWords[0].hasPrefix("HTTP/1."), let status = Int(statusWords[1]) else {
            throw HookFailure("ccgd's answer to \(method) \(target) is not HTTP/1.1; is --socket ccgd's socket?")
        }
        var body = Array(answer[(end + 4)...])
        for line in lines.dropFirst() {
            let parts = line.split(separator: ":", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "content-length", let length = Int(parts[1].trimmingPrefix(" ")), length <= body.count {
                body = Array(body[..<length])
            }
        }
        return Response(status: status, body: body)
    }
}
