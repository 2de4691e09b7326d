import CCGPlugin
import FoundationEssentials
import Logging
import Glibc
import SystemSupport
import SystemBasics

/// Any program as a plug-in, like Docker's credential helpers: ccgd writes
/// `{"version":1,"pluginInput":"…"}` to its stdin and reads one JSON object from its stdout,
/// `{"domainName": …, "username": …, "password": …}` or `{"error": {"code": …, "message": …}}`
/// (docs/exec-plugins.md). Each call runs the program once, on a thread of its own, in its own
/// process group, with a clean environment, bounded in time and output.
package struct ExecutablePlugin: DomainAuthCredentials, CustomStringConvertible {
    /// The `version` of the request.
    package static let protocolVersion = 1
    /// What every program gets, whatever ccgd's own environment holds.
    package static let baseEnvironment = ["PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "HOME": "/nonexistent"]

    package let path: String
    package let arguments: [String]
    package let timeout: Duration
    /// More bytes than this on stdout stop the program.
    package let maximumOutput: Int
    package let requireRootOwnership: Bool
    /// The program's whole environment: `baseEnvironment`, ccgd's `CREDENTIALS_DIRECTORY` (systemd
    /// credentials) if set, then the configured variables, which win.
    package let programEnvironment: [String: String]
    /// Where the end of a failed run's stderr goes (never into the error: it may hold a secret).
    private let logger: Logger

    /// Checks the program (absolute path, a regular executable file nobody but its owner may change,
    /// owned by root when `requireRootOwnership`) and the settings.
    package init(
        path: String, arguments: [String] = [], timeout: Duration = .seconds(10), maximumOutput: Int = 64 * 1024,
        environment: [String: String] = [:], requireRootOwnership: Bool = true,
        logger: Logger = Logger(label: "ccgd.plugins")
    ) throws(ExecutablePluginError) {
        _ = try Self.openExecutableFile(path, requireRootOwnership: requireRootOwnership)
        guard timeout > .zero else { throw .invalidSetting(path: path, problem: "the timeout must be more than 0 s") }
        guard maximumOutput > 0 else { throw .invalidSetting(path: path, problem: "the output limit must be at least 1 byte") }
        guard !arguments.contains(where: { $0.utf8.contains(0) }) else {
            throw .invalidSetting(path: path, problem: "an argument contains a NUL character")
        }
        for (name, value) in environment.sorted(by: { $0.key < $1.key }) {
            guard Self.isVariableName(name) else {
                throw .invalidSetting(path: path, problem: "\"\(name)\" is not an environment variable name; use letters, digits and _")
            }
            guard !value.utf8.contains(0) else {
                throw .invalidSetting(path: path, problem: "the value of \(name) contains a NUL character")
            }
        }
        var programEnvironment = Self.baseEnvironment
        if let credentials = ProcessInfo.processInfo.environment["CREDENTIALS_DIRECTORY"], !credentials.isEmpty {
            programEnvironment["CREDENTIALS_DIRECTORY"] = credentials
        }
        programEnvironment.merge(environment) { $1 }

        self.path = path
        self.arguments = arguments
        self.timeout = timeout
        self.maximumOutput = maximumOutput
        self.requireRootOwnership = requireRootOwnership
        self.programEnvironment = programEnvironment
        self.logger = logger
    }

    package var description: String { "executable plug-in \(path)" }

    package func passwordCredentials(pluginInput: String) async throws -> DomainCredential {
        try Task.checkCancellation()
        let request = Self.request(pluginInput: pluginInput)
        let cancellation: ChildProcess.Cancellation
        do throws(ChildProcess.Failure) {
            cancellation = try ChildProcess.Cancellation()
        } catch {
            throw failure(error)
        }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<DomainCredential, any Error>) in
                // spawn, poll and waitpid block: never on the concurrency pool.
                BlockingWork(label: "ccgd.plugin").start {
                    continuation.resume(with: Result { try self.call(request: request, cancellation: cancellation) })
                }
            }
        } onCancel: {
            cancellation.cancel()
        }
    }

    /// `{"version":1,"pluginInput":"…"}` and a newline; the input, even an object's JSON text, as a string.
    static func request(pluginInput: String) -> [UInt8] {
        var text = "{\"version\":\(protocolVersion),\"pluginInput\":\""
        for scalar in pluginInput.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\"}\n"
        return Array(text.utf8)
    }

    /// One run, blocking the calling thread.
    private func call(request: [UInt8], cancellation: ChildProcess.Cancellation) throws -> DomainCredential {
        let file = try Self.openExecutableFile(path, requireRootOwnership: requireRootOwnership)
        guard !cancellation.isCancelled else { throw CancellationError() }
        let program = ChildProcess(
            executable: path, arguments: arguments,
            environment: programEnvironment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" },
            program: file.descriptor
        )
        // Open until the program has started through it.
        defer { withExtendedLifetime(file) {} }
        let outcome: ChildProcess.Outcome
        do throws(ChildProcess.Failure) {
            outcome = try program.run(input: request, limits: .init(timeout: timeout, maximumOutput: maximumOutput), cancellation: cancellation)
        } catch .cancelled {
            throw CancellationError()
        } catch {
            throw failure(error)
        }

        let errorOutput = ProgramText.printable(outcome.errorTail, limit: 2 * ChildProcess.Limits.defaultErrorTail, cutAtStart: outcome.errorTruncated)
        do {
            return try answer(outcome, loggedErrorOutput: !errorOutput.isEmpty)
        } catch {
            if !errorOutput.isEmpty {
                logger.warning(
                    "plug-in program failed; the end of its stderr follows",
                    metadata: [
                        "plugin": "\(path)", "stderr": "\(errorOutput)", "error": "\(error)",
                    ])
            }
            throw error
        }
    }

    /// The credential the run printed, or why there is none.
    private func answer(_ outcome: ChildProcess.Outcome, loggedErrorOutput: Bool) throws -> DomainCredential {
        let status: Int32
        switch outcome.termination {
        case let .signaled(signal): throw ExecutablePluginError.killedBySignal(path: path, signal: signal, loggedErrorOutput: loggedErrorOutput)
        case let .exited(code): status = code
        }
        let exitStatus = ExecutablePluginError.exitStatus(path: path, status: status, loggedErrorOutput: loggedErrorOutput)
        guard !outcome.output.isBlank else {
            throw status == 0 ? .noAnswer(path: path, loggedErrorOutput: loggedErrorOutput) : exitStatus
        }
        let answer: ExecutablePluginAnswer
        do throws(ExecutablePluginError) {
            answer = try outcome.output.withBytes { (output) throws(ExecutablePluginError) in
                try ExecutablePluginAnswer(parsing: output, path: path)
            }
        } catch {
            throw status == 0 ? error : exitStatus
        }
        switch answer {
        case let .failure(reported):
            throw reported
        case let .credential(credential):
            guard status == 0 else { throw exitStatus }
            return credential
        }
    }

    private func failure(_ error: ChildProcess.Failure) -> ExecutablePluginError {
        switch error {
        case .timedOut:
            return .timedOut(path: path, seconds: timeout.secondsValue)
        case .outputTooLarge:
            return .outputTooLarge(path: path, limit: maximumOutput)
        case let .spawn(number):
            return .spawnFailed(path: path, reason: errnoDescription(number))
        case let .system(call, number):
            return .systemCallFailed(path: path, call: call, reason: errnoDescription(number))
        case .cancelled:
            return .systemCallFailed(path: path, call: "run", reason: "cancelled")
        }
    }

    private static func isVariableName(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else { return false }
        return name.utf8.allSatisfy { $0 == UInt8(ascii: "_") || (0x30...0x39).contains($0) || (0x41...0x5A).contains($0) || (0x61...0x7A).contains($0) }
    }
}
