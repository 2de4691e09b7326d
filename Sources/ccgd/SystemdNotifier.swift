import FoundationEssentials
import Glibc

/// sd_notify(3): one datagram per state change to $NOTIFY_SOCKET, when systemd (or a test) set it.
struct SystemdNotifier: Sendable {
    private let path: String?

    init(environment: [String: String] = ProcessInfo.processInfo.environment) {
        path = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
    }

    var isActive: Bool { path != nil }

    /// The service is up and serving.
    func ready(status: String) { send("READY=1\nSTATUS=\(status)") }
    func status(_ status: String) { send("STATUS=\(status)") }
    func watchdog() { send("WATCHDOG=1") }
    /// A reload begins; `ready` ends it.
    func reloading() {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        send("RELOADING=1\nMONOTONIC_USEC=\(Int64(now.tv_sec) * 1_000_000 + Int64(now.tv_nsec) / 1000)")
    }
    func stopping() { send("STOPPING=1\nSTATUS=stopping") }

    private func send(_ message: String) {
        guard let path else { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        // "@name" is an abstract socket: a leading NUL byte instead of the "@".
        var bytes = Array(path.utf8)
        if bytes.first == UInt8(ascii: "@") { bytes[0] = 0 }
        let capacity = MemoryLayout.size(ofValue: address.sun_path)
        guard bytes.count < capacity else { return }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let length = socklen_t(MemoryLayout<sa_family_t>.size + bytes.count + (bytes.first == 0 ? 0 : 1))
        _ = message.utf8CString.withUnsafeBufferPointer { text in
            withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    sendto(fd, text.baseAddress, text.count - 1, Int32(MSG_NOSIGNAL), $0, length)
                }
            }
        }
    }

    /// The watchdog interval systemd asked for (WATCHDOG_USEC), if it is meant for this process.
    static func watchdogInterval(environment: [String: String] = ProcessInfo.processInfo.environment) -> Duration? {
        guard let text = environment["WATCHDOG_USEC"], let microseconds = Int64(text), microseconds > 0 else { return nil }
        if let pid = environment["WATCHDOG_PID"], Int32(pid) != getpid() { return nil }
        return .microseconds(microseconds)
    }

    /// The listening sockets systemd passed (LISTEN_PID=ours), from file descriptor 3 on: the
    /// one named `ecs` (FileDescriptorName= of ccgd-ecs.socket) is the ECS front end's, the first
    /// other one the API's.
    static func inheritedListeners(environment: [String: String] = ProcessInfo.processInfo.environment) -> (api: Int32?, ecs: Int32?) {
        guard let count = environment["LISTEN_FDS"].flatMap(Int32.init), count >= 1,
            environment["LISTEN_PID"].flatMap(Int32.init) == getpid()
        else { return (nil, nil) }
        let names = (environment["LISTEN_FDNAMES"] ?? "").split(separator: ":", omittingEmptySubsequences: false).map(String.init)
        var api: Int32?, ecs: Int32?
        for index in 0..<count {
            let fd = 3 + index // SD_LISTEN_FDS_START
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            if index < names.count && names[Int(index)] == "ecs" { ecs = ecs ?? fd } else { api = api ?? fd }
        }
        // Not for our children (executable plug-ins).
        unsetenv("LISTEN_FDS")
        unsetenv("LISTEN_PID")
        unsetenv("LISTEN_FDNAMES")
        return (api, ecs)
    }
}
