#if canImport(Glibc)
import Glibc
#endif

/// The one way ccgd runs blocking calls (libkrb5, libldap, a plug-in, a child process, fsync): each
/// on a detached POSIX thread of its own, never on the Swift concurrency pool, which has one
/// thread per core and must not wait on the network. A call that never returns (a hung plug-in)
/// holds only its own thread, never a shared pool's.
public struct BlockingWork: Sendable {
    /// What the work is, for the message when no thread can be started for it.
    public let label: String

    public init(label: String = "ccgd.blocking") {
        self.label = label
    }

    /// Runs `work` on a thread of its own and returns what it returns.
    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            start { continuation.resume(with: Result { try work() }) }
        }
    }

    /// Starts `body` on a thread of its own without waiting for it (a loop for the process's life).
    public func start(_ body: @escaping @Sendable () -> Void) {
        let work = Unmanaged.passRetained(Work(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let status = pthread_create(&thread, &attributes, { argument in
            let work = Unmanaged<Work>.fromOpaque(argument!).takeRetainedValue()
            work.body()
            return nil
        }, work)
        // Without a thread the work cannot run at all; there is no caller to hand an error to.
        precondition(status == 0, "cannot start a thread for \(label): \(String(cString: strerror(status)))")
    }

    private final class Work {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
}
