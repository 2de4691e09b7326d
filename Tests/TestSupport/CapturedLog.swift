import Foundation
import Logging

/// A log handler that keeps every line as "level message metadata" (the logger's metadata merged
/// with the event's), for tests that check what was logged and that no secret was.
package final class CapturedLog: LogHandler, @unchecked Sendable { // `stored` is guarded by `lock`
    private let lock = NSLock()
    private var stored: [String] = []
    package var lines: [String] { lock.withLock { stored } }
    package var metadata: Logger.Metadata = [:]
    package var logLevel: Logger.Level = .trace

    package init() {}

    /// A logger whose every handler is this log.
    package func logger(label: String = "test") -> Logger {
        Logger(label: label) { _ in self }
    }

    package subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    package func log(event: LogEvent) {
        lock.withLock { stored.append("\(event.level) \(event.message) \(metadata.merging(event.metadata ?? [:]) { $1 })") }
    }
}
