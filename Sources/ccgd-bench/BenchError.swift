import Foundation

/// A failure of the benchmark's own steps: one sentence saying what went wrong and where to look.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
