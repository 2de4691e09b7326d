import DaemonHarness
import Foundation
import NIOHTTP1
import SocketAPI
import XCTest

/// A real ccgd process with its own socket, runtime and state directories, configured for the
/// test domain: started, stopped (SIGTERM), killed (SIGKILL) and restarted by the tests.
final class DaemonProcess {
    let root: String
    let domain: TestDomain
    var socket: String { root + "/ccgd.sock" }
    var runtime: String { root + "/run" }
    var state: String { root + "/state" }
    var credSpecs: String { root + "/credspecs" }
    var configuration: String { root + "/ccgd.conf" }
    var log: String { root + "/ccgd.log" }
    private var process: ChildProcess?
    /// A command ccgd runs under (e.g. setpriv, to run with the unit's capabilities only).
    var wrapper: [String] = []
    /// Variables added to ccgd's environment (e.g. AWS_* for the AWS Secrets Manager plug-in).
    var environment: [String: String] = [:]

    init(
        domain: TestDomain, extraConfiguration: String = "", domainSection: Bool = true, controllerAddress: String = "127.0.0.1",
        pluginsConfiguration: String = "", logLevel: String = "debug", credentialsDirectory: String? = nil,
        prefetch: Bool = false, prefetchWindow: String = "0"
    ) throws {
        self.domain = domain
        root = NSTemporaryDirectory() + "/ccgd-daemon-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: credSpecs, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: domain.credSpecDirectory) {
            try FileManager.default.copyItem(atPath: domain.credSpecDirectory + "/" + name, toPath: credSpecs + "/" + name)
        }
        try """
        [daemon]
        socket = \(socket)
        runtime-directory = \(runtime)
        state-directory = \(state)
        credspec-directory = \(credSpecs)
        log-level = \(logLevel)
        prefetch = \(prefetch ? "yes" : "no")
        prefetch-window = \(prefetchWindow)
        \(extraConfiguration)

        [plugins]
        credentials-directory = \(credentialsDirectory ?? domain.credentialsDirectory)
        \(pluginsConfiguration)

        \(domainSection ? "[domain \"\(domain.realm)\"]\ncontrollers = \(domain.controller.hostName)=\(controllerAddress)" : "")
        """.write(toFile: configuration, atomically: true, encoding: .utf8)
    }

    var client: APIClient { APIClient(socketPath: socket) }

    func start() throws {
        let command = wrapper + [Command.binaries + "/ccgd", "--config", configuration]
        // The log is appended to across restarts: a test reads the whole story.
        let process = try ChildProcess(
            command, environment: ProcessInfo.processInfo.environment.merging(environment) { $1 },
            stdout: log, stderr: log, appendOutput: true)
        self.process = process
        // Ready when the socket accepts a request.
        let socket = socket, client = client
        let outcome = Self.blocking {
            await DaemonStart.wait(for: process, attempts: 200, interval: .milliseconds(50)) {
                guard FileManager.default.fileExists(atPath: socket) else { return false }
                return (try? await client.send(.GET, "/v1/health").status) == 200
            }
        }
        switch outcome {
        case .serving: return
        case .exited: throw Failure("ccgd exited at start-up: \(logText)")
        case .silent: throw Failure("ccgd did not answer within 10 s: \(logText)")
        }
    }

    /// SIGTERM, and wait for a clean exit.
    @discardableResult
    func stop() -> Int32 {
        guard let process else { return 0 }
        if process.hasExited { return process.wait().status }
        self.process = nil
        return process.stop(patience: nil)
    }

    /// SIGKILL: no chance to clean up, as after a crash or an OOM kill.
    func crash() {
        guard let process, !process.hasExited else { return }
        process.killAbruptly()
        self.process = nil
    }

    var pid: Int32? { process?.pid }

    var logText: String { (try? String(contentsOfFile: log, encoding: .utf8)) ?? "" }

    func remove() {
        stop()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Runs `body` to its end on another task while this thread waits (start() is called from synchronous tests too).
    private static func blocking<Result: Sendable>(_ body: @escaping @Sendable () async -> Result) -> Result {
        let box = ResultBox<Result>()
        let semaphore = DispatchSemaphore(value: 0)
        Task {
            box.value = await body()
            semaphore.signal()
        }
        semaphore.wait()
        return box.value!
    }

    // MARK: requests

    func request(_ method: HTTPMethod, _ path: String, json: String? = nil) async throws -> (status: Int, object: [String: Any], text: String) {
        let response = try await client.send(method, path, body: json.map { Array($0.utf8) })
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        return (response.status, object, response.text)
    }

    func createLease(_ json: String) async throws -> [String: Any] {
        let (status, object, text) = try await request(.POST, "/v1/leases", json: json)
        guard status == 201 else { throw Failure("POST /v1/leases answered \(status): \(text)") }
        return object
    }

    func metric(_ line: String) async throws -> Double? {
        let text = try await request(.GET, "/metrics").text
        for row in text.split(separator: "\n") where row.hasPrefix(line + " ") {
            return Double(row.dropFirst(line.count + 1))
        }
        return nil
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

private final class ResultBox<Value>: @unchecked Sendable { // written before the semaphore is signalled, read after
    var value: Value?
}

/// The `error` member of an API error body.
func apiError(_ object: [String: Any]) -> (code: String, message: String, field: String?) {
    let error = object["error"] as? [String: Any] ?? [:]
    return (error["code"] as? String ?? "", error["message"] as? String ?? "", error["field"] as? String)
}

extension DaemonProcess {
    /// Runs another ccgd with this one's configuration and `arguments` added, as an operator
    /// would by hand, and stops it (SIGKILL) if it is still running after `seconds`: a ccgd that
    /// should have refused to start must not hang the test. `stillRunning` says it had to be stopped.
    func runAnother(_ arguments: [String], seconds: Double = 10) throws -> (status: Int32, output: String, stillRunning: Bool) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Command.binaries + "/ccgd")
        process.arguments = ["--config", configuration] + arguments
        return try Command.run(process, logTo: root + "/another-\(UUID().uuidString.prefix(8)).log", seconds: seconds)
    }
}
