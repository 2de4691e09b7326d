import Foundation

/// Runs one of the package's executables (built beside the test bundle) and captures its output.
struct Command {
    struct Outcome {
        let status: Int32
        let output: String
        let errors: String
        var all: String { output + errors }
    }

    /// The directory of the test bundle, where SwiftPM also puts ccgd and ccgctl.
    static let binaries: String = {
        let executable = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        return executable.deletingLastPathComponent().path
    }()

    static func run(_ tool: String, _ arguments: [String], environment: [String: String] = [:], input: Data? = nil) throws -> Outcome {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: tool.hasPrefix("/") ? tool : binaries + "/" + tool)
        process.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { $1 }
        process.environment = merged
        let output = Pipe(), errors = Pipe(), stdin = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = stdin
        try process.run()
        if let input { stdin.fileHandleForWriting.write(input) }
        try stdin.fileHandleForWriting.close()
        let out = output.fileHandleForReading.readDataToEndOfFile()
        let err = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Outcome(status: process.terminationStatus, output: String(decoding: out, as: UTF8.self), errors: String(decoding: err, as: UTF8.self))
    }
}

extension Command {
    /// Sends `process`'s stdout and stderr to a new, empty file `log`; the caller closes the handle.
    static func output(of process: Process, to log: String) throws -> FileHandle {
        _ = FileManager.default.createFile(atPath: log, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        process.standardOutput = handle
        process.standardError = handle
        return handle
    }

    /// Runs `process` (configured but not started) with stdout and stderr in the file `log`, and
    /// stops it (SIGKILL) if it is still running after `seconds`, so that a command that should have
    /// ended cannot hang the test. `stillRunning` says it had to be stopped.
    static func run(_ process: Process, logTo log: String, seconds: Double) throws -> (status: Int32, output: String, stillRunning: Bool) {
        let handle = try output(of: process, to: log)
        defer { try? handle.close() }
        try process.run()
        let until = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < until { usleep(20_000) }
        let stillRunning = process.isRunning
        if stillRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOfFile: log, encoding: .utf8)) ?? "", stillRunning)
    }
}
