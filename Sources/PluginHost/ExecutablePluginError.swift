import Observability
import SystemSupport
/// Why an executable plug-in cannot be used, or gave no credentials; each names the program.
/// What the program itself reports (`{"error": …}`) is a `PluginError` instead.
package enum ExecutablePluginError: CodedError, Sendable, Equatable {
    // The file and the settings, checked when configured and before each call.
    /// The checks every plug-in file passes (owner, mode, directory), shared with shared objects.
    case refused(PluginLoadError)
    case notExecutable(path: String)
    case invalidSetting(path: String, problem: String)

    // A call.
    case spawnFailed(path: String, reason: String)
    /// The registry reports this as `plugin.timeout`.
    case timedOut(path: String, seconds: Double)
    case outputTooLarge(path: String, limit: Int)
    /// `loggedErrorOutput`: it wrote to stderr, and the end of that went to the log, never into the
    /// message (which reaches API answers): a plug-in's stderr may hold anything, a secret too.
    case killedBySignal(path: String, signal: Int32, loggedErrorOutput: Bool)
    case exitStatus(path: String, status: Int32, loggedErrorOutput: Bool)
    case noAnswer(path: String, loggedErrorOutput: Bool)
    case notJSON(path: String, problem: String)
    case missingField(path: String, field: String)
    case systemCallFailed(path: String, call: String, reason: String)

    package var code: ErrorCode {
        switch self {
        case .timedOut: .pluginTimeout
        case .systemCallFailed: .internal
        default: .pluginFailed
        }
    }

    private static let answerFormat = "print one JSON object with domainName, username and password, or with error"

    package var description: String {
        switch self {
        case let .refused(error):
            return error.description
        case let .notExecutable(path):
            return "executable plug-in \(path) is not executable; run chmod 755 \(path)."
        case let .invalidSetting(path, problem):
            return "executable plug-in \(path): \(problem)."
        case let .spawnFailed(path, reason):
            return "cannot start executable plug-in \(path): \(reason); check that it is a program for this machine or a script that starts with #!."
        case let .timedOut(path, seconds):
            return
                "executable plug-in \(path) did not finish within \(Self.format(seconds)) s and was stopped; check the secret store it asks, or give it a longer timeout."
        case let .outputTooLarge(path, limit):
            return "executable plug-in \(path) printed more than \(limit) bytes and was stopped; an answer is one small JSON object."
        case let .killedBySignal(path, signal, logged):
            return "executable plug-in \(path) was killed by signal \(SignalName.describe(signal))" + Self.ending(logged)
        case let .exitStatus(path, status, logged):
            return "executable plug-in \(path) exited with status \(status) without an error answer" + Self.ending(logged)
        case let .noAnswer(path, logged):
            return logged
                ? "executable plug-in \(path) exited with status 0 but printed nothing; see the daemon's log for the plug-in's output (stderr)."
                : "executable plug-in \(path) exited with status 0 but printed nothing; \(Self.answerFormat)."
        case let .notJSON(path, problem):
            return "the answer of executable plug-in \(path) is not a JSON object (\(problem)); \(Self.answerFormat)."
        case let .missingField(path, field):
            return "the answer of executable plug-in \(path) has no non-empty string \"\(field)\"; \(Self.answerFormat)."
        case let .systemCallFailed(path, call, reason):
            return "cannot run executable plug-in \(path): \(call) failed: \(reason)."
        }
    }

    /// Where the program's own words are when it left some on stderr, otherwise a hint.
    private static func ending(_ logged: Bool) -> String {
        logged ? "; see the daemon's log for the plug-in's output (stderr)." : " and wrote nothing to stderr; run it by hand to see why."
    }

    /// `0.5`, `10`: whole seconds without a fraction.
    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() && abs(seconds) < 1e15 ? String(Int64(seconds)) : String(seconds)
    }
}
