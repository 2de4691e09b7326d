import Dispatch

/// Short file-system work on a tmpfs (a lease directory: mkdir, write, chown, rename) off the
/// Swift concurrency pool, on one serial libdispatch queue, whose thread goes on from one lease
/// to the next: starting a thread for each (`BlockingWork`) costs more than the writes do.
/// Never for the network, a plug-in, or anything that can hang.
package struct FileWork: Sendable {
    private let queue: DispatchQueue

    package init(label: String) {
        queue = DispatchQueue(label: label)
    }

    /// Runs `work` on the queue and returns what it returns.
    package func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
