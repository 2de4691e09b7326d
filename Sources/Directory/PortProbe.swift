import Glibc

/// Whether a TCP port answers: the first question when a DC "does not work".
package enum PortProbe {
    /// Connects to `port` of `host` (a name or an address) within `timeoutMilliseconds` and
    /// closes the connection; throws `.unreachable` naming the host, the port and why.
    package static func connect(host: String, port: UInt16, timeoutMilliseconds: Int32) throws(DirectoryError) {
        let fd = try TCPConnection.open(host: host, port: port, timeoutMilliseconds: timeoutMilliseconds)
        close(fd)
    }
}
