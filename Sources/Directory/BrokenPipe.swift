import Glibc

/// libldap writes to its socket with write(2): on a connection the DC (or a middlebox) has closed,
/// that raises SIGPIPE, whose default action ends the process. A kept connection meets this
/// sooner or later, so every libldap call that may write runs with SIGPIPE blocked on its
/// thread: the write fails with EPIPE, libldap reports the server gone, and a raised SIGPIPE is
/// discarded before the mask is restored.
enum BrokenPipe {
    static func ignored<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        var brokenPipe = sigset_t()
        sigemptyset(&brokenPipe)
        sigaddset(&brokenPipe, SIGPIPE)
        var previous = sigset_t()
        pthread_sigmask(SIG_BLOCK, &brokenPipe, &previous)
        defer {
            if sigismember(&previous, SIGPIPE) == 0 {
                var pending = sigset_t()
                sigpending(&pending)
                if sigismember(&pending, SIGPIPE) == 1 {
                    var immediately = timespec(tv_sec: 0, tv_nsec: 0)
                    _ = sigtimedwait(&brokenPipe, nil, &immediately)
                }
                pthread_sigmask(SIG_SETMASK, &previous, nil)
            }
        }
        return try body()
    }
}
