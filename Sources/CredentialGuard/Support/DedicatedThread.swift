#if canImport(Glibc)
import Glibc
#endif

/// Runs a closure on a new, detached POSIX thread: for calls that block (a plug-in, a child
/// process, fsync) and must not hold one of the Swift concurrency pool's few threads.
enum DedicatedThread {
    private final class Work {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }

    static func start(_ body: @escaping @Sendable () -> Void) {
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
        precondition(status == 0, "pthread_create failed: \(String(cString: strerror(status)))")
    }
}
