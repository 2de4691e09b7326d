import Dispatch
import Glibc
import SystemSupport

/// The process's entry: runs `CCGD` with the arguments as the kernel has them, even under a
/// preloaded libfaketime (`ProcessArguments`), and parks the main thread until it returns.
///
/// Synchronous on purpose. An `async` main hands the main thread to `dispatch_main`, which ends it
/// with `pthread_exit`; that unwinds the thread's stack through libgcc, which reads about 1 MB of
/// the binary's unwind tables into memory at every start and keeps it mapped for the process's
/// life (docs/performance.md, Memory). A parked thread costs one futex wait.
@main
enum MainThread {
    static func main() {
        blockAsynchronousSignals()
        let arguments = Array(ProcessArguments.current.dropFirst())
        let finished = DispatchSemaphore(value: 0)
        // Detached: main() is the main actor's, whose queue nothing drains while this thread waits.
        Task.detached {
            // Errors, --help and --version end the process inside; a daemon that stopped ends it with _exit.
            await CCGD.main(arguments)
            finished.signal()
        }
        finished.wait()
        exit(0)
    }

    /// What `dispatch_main` did first: block every signal on this thread, and so on every thread
    /// started from it, but those a thread raises on itself (faults, SIGPIPE) and SIGPROF. Signal
    /// sources (SIGTERM, SIGHUP: swift-service-lifecycle's) read their signals from a signalfd,
    /// which sees only a signal that no thread takes: this thread, parked with them unblocked, would
    /// take their default action, the process's end. Child processes start with an empty mask
    /// (`ChildProcess`).
    private static func blockAsynchronousSignals() {
        var mask = sigset_t()
        sigfillset(&mask)
        for fault in [SIGILL, SIGTRAP, SIGABRT, SIGFPE, SIGBUS, SIGSEGV, SIGSYS, SIGPIPE, SIGPROF] { sigdelset(&mask, fault) }
        pthread_sigmask(SIG_BLOCK, &mask, nil)
    }
}
