import Synchronization

/// Runs what changes the running parts one at a time, in the order asked: a reload and a change
/// of the CredSpec directory picked up by its watch never interleave, so neither applies settings
/// the other has just replaced (the prefetch round of a former configuration, say).
final class ApplyQueue: Sendable {
    /// The work asked for last; the next waits for it.
    private let last = Mutex<Task<Void, Never>?>(nil)

    /// Runs `work` once everything asked for before has run, and answers what it answers.
    func run<T: Sendable>(_ work: @escaping @Sendable () async -> T) async -> T {
        let task = last.withLock { last in
            let previous = last
            let next = Task { () async -> T in
                await previous?.value
                return await work()
            }
            last = Task { _ = await next.value }
            return next
        }
        return await task.value
    }
}
