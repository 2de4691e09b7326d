import Glibc

/// Opens a TCP connection with a deadline; we connect ourselves so that libldap never resolves
/// the DC's name (it may only be known to Kerberos) and never blocks for the system's long timeout.
enum TCPConnection {
    static func open(host: String, port: UInt16, timeoutMilliseconds: Int32) throws(DirectoryError) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &list)
        guard status == 0, let list else { throw .unreachable(controller: host, reason: unresolved(status)) }
        defer { freeaddrinfo(list) }
        var lastError = "no address"
        var candidate: UnsafeMutablePointer<addrinfo>? = list
        while let info = candidate {
            candidate = info.pointee.ai_next
            let fd = socket(
                info.pointee.ai_family, info.pointee.ai_socktype | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), info.pointee.ai_protocol)
            guard fd >= 0 else { lastError = String(cString: strerror(errno)); continue }
            if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 || errno == EINPROGRESS {
                var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
                let ready = poll(&poller, 1, timeoutMilliseconds)
                var socketError: Int32 = 0
                var length = socklen_t(MemoryLayout<Int32>.size)
                getsockopt(fd, SOL_SOCKET, SO_ERROR, &socketError, &length)
                if ready == 1 && socketError == 0 {
                    let flags = fcntl(fd, F_GETFL)
                    _ = fcntl(fd, F_SETFL, flags & ~O_NONBLOCK)
                    var on: Int32 = 1
                    setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &on, socklen_t(MemoryLayout<Int32>.size))
                    return fd
                }
                lastError = ready == 0 ? "no answer within \(timeoutMilliseconds) ms" : cause(socketError)
            } else {
                lastError = cause(errno)
            }
            close(fd)
        }
        throw .unreachable(controller: host, reason: "\(lastError) on port \(port)")
    }

    /// Why a connection failed, from its errno; EPERM is a packet filter of this host's own.
    static func cause(_ code: Int32) -> String {
        let text = String(cString: strerror(code))
        guard code == EPERM else { return text }
        return text + " (a packet filter on this host refused it: under ccgd.service, allow the DC's address with IPAddressAllow= in a drop-in)"
    }

    /// Why a name did not resolve, from getaddrinfo's status.
    static func unresolved(_ status: Int32) -> String {
        "cannot resolve the name (\(String(cString: gai_strerror(status))))"
    }
}
