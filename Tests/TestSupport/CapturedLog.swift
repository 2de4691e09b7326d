import Foundation
import Logging

/// A log handler that keeps every line as "level message metadata" (the logger's metadata merged
/// with the event's), for tests that check what was logged and that no secret was.
public final class CapturedLog: LogHandler, @unchecked Sendable {   // `stored` is guarded by `lock`
    private let lock = NSLock()
    private var stored: [String] = []
    public var lines: [String] { lock.withLock { stored } }
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init() {}

    /// A logger whose every handler is this log.
    public func logger(label: String = "test") -> Logger {
        Logger(label: label) { _ in self }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        lock.withLock { stored.append("\(event.level) \(event.message) \(metadata.merging(event.metadata ?? [:]) { $1 })") }
    }
}
