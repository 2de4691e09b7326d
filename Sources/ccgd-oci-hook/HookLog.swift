import Glibc

/// Where the hook's lines go: standard error (the runtime shows it when the hook fails), the
/// system log, and the --log file if one is given (runtimes drop a successful hook's stderr);
/// where no system log listens and no --log is given, `fallbackFile`, so that a warning is never
/// written only to places nobody reads.
struct HookLog {
    static let fallbackFile = "/var/log/ccgd-oci-hook.log"

    let file: String?

    init(file: String?) {
        self.file = file ?? (Self.systemLogListens ? nil : Self.fallbackFile)
        openlog("ccgd-oci-hook", LOG_PID, LOG_DAEMON)
    }

    /// Whether /dev/log is a socket (syslog drops lines silently when it is not).
    static var systemLogListens: Bool {
        var status = stat()
        return lstat("/dev/log", &status) == 0 && status.st_mode & S_IFMT == S_IFSOCK
    }

    func error(_ message: String) { write("ccgd-oci-hook: " + message, priority: LOG_ERR) }

    func warning(_ message: String) { write("ccgd-oci-hook: warning: " + message, priority: LOG_WARNING) }

    private func write(_ text: String, priority: Int32) {
        // One line, whatever a cause from elsewhere holds.
        let line = String(text.map { $0.isNewline ? " " : $0 }) + "\n"
        let bytes = Array(line.utf8)
        _ = bytes.withUnsafeBytes { Glibc.write(STDERR_FILENO, $0.baseAddress, $0.count) }
        line.withCString { pointer in withVaList([pointer]) { vsyslog(priority, "%s", $0) } }
        guard let file else { return }
        let fd = open(file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { return }
        defer { close(fd) }
        _ = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
    }
}
