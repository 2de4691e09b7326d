import Glibc
import Synchronization

/// The one way ccgd runs blocking calls (libkrb5, libldap, a plug-in, a child process, fsync): each
/// on a detached POSIX thread of its own, never on the Swift concurrency pool, which has one
/// thread per core and must not wait on the network. A call that never returns (a hung plug-in)
/// holds only its own thread, never a shared pool's.
package struct BlockingWork: Sendable {
    /// What the work is, for the message when no thread can be started for it.
    package let label: String

    package init(label: String = "ccgd.blocking") {
        self.label = label
    }

    /// Runs `work` on a thread of its own and returns what it returns.
    package func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            Self.inFlight.add(1, ordering: .relaxed)
            start {
                let result = Result { try work() }
                Self.inFlight.subtract(1, ordering: .releasing)
                continuation.resume(with: result)
            }
        }
    }

    /// Calls started by `run` that have not returned yet (a libkrb5 login, an LDAP search, a
    /// plug-in, an fsync).
    private static let inFlight = Atomic<Int>(0)

    /// Waits until no call started by `run` is still running, at most `limit`; true if none is.
    /// A process must not exit under a running libkrb5 call: exit() runs libkrb5's library
    /// destructor, which tears down the mutexes that call holds (a `k5_mutex_lock` assertion
    /// aborted one daemon of a hundred at shutdown in the fleet harness).
    package static func settle(within limit: Duration) -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: limit)
        while inFlight.load(ordering: .acquiring) > 0 {
            guard clock.now < deadline else { return false }
            usleep(10_000)
        }
        return true
    }

    /// Starts `body` on a thread of its own without waiting for it (a loop for the process's life).
    package func start(_ body: @escaping @Sendable () -> Void) {
        let work = Unmanaged.passRetained(Work(body)).toOpaque()
        var attributes = pthread_attr_t()
        pthread_attr_init(&attributes)
        defer { pthread_attr_destroy(&attributes) }
        pthread_attr_setdetachstate(&attributes, Int32(PTHREAD_CREATE_DETACHED))
        var thread = pthread_t()
        let status = pthread_create(
            &thread, &attributes,
            { argument in
                let work = Unmanaged<Work>.fromOpaque(argument!).takeRetainedValue()
                work.body()
                return nil
            }, work)
        // Without a thread the work cannot run at all; there is no caller to hand an error to.
        precondition(status == 0, "cannot start a thread for \(label): \(String(cString: strerror(status)))")
    }

    /// Runs `body` on `count` threads at once (one of them the caller's) and returns when all
    /// have returned. A thread that cannot be started runs its share on the caller's thread.
    package static func together(_ count: Int, _ body: @escaping @Sendable () -> Void) {
        var threads: [pthread_t] = []
        var inline = 1
        for _ in 1..<max(count, 1) {
            let work = Unmanaged.passRetained(Work(body)).toOpaque()
            var thread = pthread_t()
            let status = pthread_create(
                &thread, nil,
                { argument in
                    let work = Unmanaged<Work>.fromOpaque(argument!).takeRetainedValue()
                    work.body()
                    return nil
                }, work)
            if status == 0 {
                threads.append(thread)
            } else {
                Unmanaged<Work>.fromOpaque(work).release()
                inline += 1
            }
        }
        for _ in 0..<inline { body() }
        for thread in threads { pthread_join(thread, nil) }
    }

    private final class Work {
        let body: () -> Void
        init(_ body: @escaping () -> Void) { self.body = body }
    }
}
