import Dispatch

/// Runs blocking calls (libkrb5, libldap, fsync) on threads of their own, never on the Swift
/// concurrency pool, which has one thread per core and must not wait on the network.
public struct BlockingWork: Sendable {
    private let queue: DispatchQueue

    public init(label: String = "ccgd.blocking") {
        queue = DispatchQueue(label: label, qos: .userInitiated, attributes: .concurrent)
    }

    public func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async { continuation.resume(with: Result { try work() }) }
        }
    }
}
