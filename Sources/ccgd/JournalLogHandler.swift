import FoundationEssentials
import Logging
import Synchronization
import Glibc

/// One event per line on stderr, with key=value fields, each naming its logger (`ccgd.leases`).
/// Under journald (JOURNAL_STREAM set) each line starts with its syslog priority (`<6>`) and
/// carries no timestamp or level, since journald adds them.
struct JournalLogHandler: LogHandler {
    /// The level of every logger, changed by a reload.
    static let level = Mutex(Logger.Level.info)

    let label: String
    let journal: Bool
    var metadata: Logger.Metadata = [:]

    var logLevel: Logger.Level {
        get { Self.level.withLock { $0 } }
        set { Self.level.withLock { $0 = newValue } }
    }

    init(label: String, environment: [String: String] = ProcessInfo.processInfo.environment) {
        self.label = label
        journal = environment["JOURNAL_STREAM"] != nil
    }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let fields = metadata.merging(event.metadata ?? [:]) { $1 }
            .sorted { $0.key < $1.key }
            .map { "\($0.key)=\(Self.quoted("\($0.value)"))" }
        var line: String
        if journal {
            line = "<\(Self.priority(event.level))>\(label): \(event.message)"
        } else {
            line = "\(Date.now.formatted(.iso8601)) \(event.level) \(label): \(event.message)"
        }
        if !fields.isEmpty { line += " " + fields.joined(separator: " ") }
        // One write per event, so lines of concurrent events never interleave.
        let bytes = Array((line.replacingNewlines() + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }

    static func priority(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }

    /// Values with spaces or quotes are quoted, so that `key=value` stays parseable.
    static func quoted(_ value: String) -> String {
        guard value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) || value.isEmpty else { return value }
        var escaped = "\""
        for character in value {
            if character == "\"" || character == "\\" { escaped.append("\\") }
            escaped.append(character)
        }
        return escaped + "\""
    }
}

extension String {
    /// One event, one line: a message never spans lines.
    fileprivate func replacingNewlines() -> String {
        String(map { $0 == "\n" || $0 == "\r" ? " " : $0 })
    }
}
