import JSON
import Glibc

/// Where the shim's one line of failure goes: standard error, and runc's `--log` file in its
/// `--log-format`, which is where containerd's runc shim (and so Docker and ctr) reads a runtime's
/// error to show the user.
struct RuntimeLog {
    let file: String?
    let format: String?

    func error(_ message: String) {
        let line = "ccgd-runtime: " + String(message.map { $0.isNewline ? " " : $0 })
        let stderrBytes = Array((line + "\n").utf8)
        _ = stderrBytes.withUnsafeBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
        guard let file else { return }
        let time = Self.timestamp()
        let record: String
        if format == "json" {
            let object: JSONValue = ["level": "error", "msg": .string(line), "time": .string(time)]
            record = object.compactText + "\n"
        } else {
            record = "time=\"\(time)\" level=error msg=" + JSONValue.string(line).compactText + "\n"
        }
        let fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(record.utf8)
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }

    /// Now, as RFC 3339 in UTC (what runc's logs carry).
    private static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        var buffer = [CChar](repeating: 0, count: 32)
        let count = strftime(&buffer, buffer.count, "%Y-%m-%dT%H:%M:%SZ", &parts)
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
