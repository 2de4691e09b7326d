import Glibc

/// glibc functions Swift's Glibc module does not import (they need _GNU_SOURCE), found at run time.
enum GNUFunctions {
    typealias Pipe2 = @convention(c) (UnsafeMutablePointer<Int32>?, Int32) -> Int32
    typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, Int32) -> Int32
    typealias AddChangeDirectory = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>?, UnsafePointer<CChar>?) -> Int32
    typealias PidFDOpen = @convention(c) (pid_t, UInt32) -> Int32

    /// glibc 2.9.
    static let pipe2: Pipe2? = symbol("pipe2")
    /// glibc 2.34 (Debian 12 has 2.36).
    static let addCloseFrom: AddCloseFrom? = symbol("posix_spawn_file_actions_addclosefrom_np")
    /// glibc 2.29.
    static let addChangeDirectory: AddChangeDirectory? = symbol("posix_spawn_file_actions_addchdir_np")
    /// glibc 2.36, Linux 5.3.
    static let pidFDOpen: PidFDOpen? = symbol("pidfd_open")

    private static func symbol<Function>(_ name: String) -> Function? {
        guard let address = dlsym(nil, name) else { return nil } // nil is RTLD_DEFAULT
        return unsafeBitCast(address, to: Function.self)
    }
}

/// One pipe; both ends close-on-exec and numbered 3 or above, so that moving the child's ends
/// to 0, 1 and 2 can never overwrite another of them.
struct ChildPipe {
    var readEnd: Int32
    var writeEnd: Int32

    static func make() throws(ChildProcess.Failure) -> ChildPipe {
        var ends: [Int32] = [-1, -1]
        let result = GNUFunctions.pipe2.map { $0(&ends, O_CLOEXEC) } ?? pipeThenCloseOnExec(&ends)
        guard result == 0 else { throw .system(call: "pipe", errno: errno) }
        do {
            return ChildPipe(readEnd: try raised(ends[0]), writeEnd: try raised(ends[1]))
        } catch {
            ends.forEach { _ = close($0) }
            throw error
        }
    }

    private static func pipeThenCloseOnExec(_ ends: inout [Int32]) -> Int32 {
        guard pipe(&ends) == 0 else { return -1 }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return 0
    }

    /// `descriptor` itself if it is 3 or above, otherwise a close-on-exec duplicate that is.
    private static func raised(_ descriptor: Int32) throws(ChildProcess.Failure) -> Int32 {
        guard descriptor < 3 else { return descriptor }
        let duplicate = fcntl(descriptor, F_DUPFD_CLOEXEC, 3)
        guard duplicate >= 0 else { throw .system(call: "fcntl", errno: errno) }
        _ = close(descriptor)
        return duplicate
    }
}

package enum SignalName {
    /// `SIGSEGV (11)`; glibc's `sigabbrev_np` is not imported.
    package static func describe(_ signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGHUP: "SIGHUP", SIGINT: "SIGINT", SIGQUIT: "SIGQUIT", SIGILL: "SIGILL", SIGTRAP: "SIGTRAP",
            SIGABRT: "SIGABRT", SIGBUS: "SIGBUS", SIGFPE: "SIGFPE", SIGKILL: "SIGKILL", SIGUSR1: "SIGUSR1",
            SIGSEGV: "SIGSEGV", SIGUSR2: "SIGUSR2", SIGPIPE: "SIGPIPE", SIGALRM: "SIGALRM", SIGTERM: "SIGTERM",
            SIGXCPU: "SIGXCPU", SIGXFSZ: "SIGXFSZ", SIGSYS: "SIGSYS",
        ]
        return names[signal].map { "\($0) (\(signal))" } ?? "\(signal)"
    }
}

/// `strerror(3)` as a `String`.
package func errnoDescription(_ number: Int32) -> String {
    String(cString: strerror(number))
}
