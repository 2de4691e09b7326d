import ArgumentParser
import Configuration
import Foundation
import JSON
import LeaseDocuments
import NIOHTTP1
import SocketAPI

/// How the commands that talk to ccgd find it (`--socket`, `--config`, `CCGD_SOCKET`), send a
/// request, and say what went wrong in ccgctl's words.
struct DaemonOptions: ParsableArguments {
    @Option(help: ArgumentHelp("ccgd's API socket (first choice; see FINDING CCGD in ccgctl --help).", valueName: "PATH"))
    var socket: String?

    @Option(name: .customLong("config"), help: ArgumentHelp("Take the socket from [daemon] socket of this ccgd.conf (it must exist).", valueName: "FILE"))
    var configuration: String?

    @Flag(help: "Print ccgd's answer as JSON, as it sent it.")
    var json = false

    /// The socket, from the first of: --socket, --config's [daemon] socket, $CCGD_SOCKET,
    /// /etc/ccgd/ccgd.conf's [daemon] socket, the built-in default.
    func socketPath(environment: [String: String] = ProcessInfo.processInfo.environment) throws(CommandFailure) -> String {
        if let socket { return socket }
        if let configuration { return try Self.load(configuration, named: true).daemon.socket }
        if let fromEnvironment = environment["CCGD_SOCKET"], !fromEnvironment.isEmpty { return fromEnvironment }
        return try Self.load(ServiceConfiguration.defaultPath, named: false).daemon.socket
    }

    static func load(_ path: String, named: Bool) throws(CommandFailure) -> ServiceConfiguration {
        do { return try ServiceConfiguration.load(path: path, named: named) } catch {
            throw CommandFailure(.configuration, "\(error)")
        }
    }

    /// Sends the request; an error answer becomes a `CommandFailure` that says it in ccgctl's words.
    func call(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, subject: Subject = .none) async throws -> APIClient.Response {
        let socket = try socketPath()
        let response: APIClient.Response
        do { response = try await APIClient(socketPath: socket).send(method, path, body: body) } catch let failure as APIClient.Failure {
            throw Self.unreachable(failure)
        }
        guard (200..<300).contains(response.status) else { throw Self.failure(response, subject: subject) }
        if json && !response.body.isEmpty {
            print(response.text, terminator: response.text.hasSuffix("\n") ? "" : "\n")
        }
        return response
    }

    /// Sends the request and reads the answer as `Document`.
    func call<Document: Decodable>(
        _ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, subject: Subject = .none,
        as document: Document.Type
    ) async throws -> Document {
        let response = try await call(method, path, body: body, subject: subject)
        do { return try APIDocuments.decoder.decode(Document.self, from: Data(response.body)) } catch {
            throw CommandFailure(.failure, "ccgd's answer is not what this ccgctl reads (\(error.localizedDescription)); use a ccgctl of ccgd's version.")
        }
    }

    /// What a request was about, for a "not found" in ccgctl's words.
    enum Subject {
        case none
        case lease(String)
    }

    static func unreachable(_ failure: APIClient.Failure) -> CommandFailure {
        let advice =
            switch failure.reason {
            case .noSocket, .nobodyListening: "start ccgd, or pass --socket or --config if it listens elsewhere"
            case .permissionDenied: "run as root or as a member of the socket's group ([daemon] socket-group), or pass --socket"
            case .busy, .closedEarly: "retry, and see ccgd's log (journalctl -u ccgd) if it goes on"
            case .other: "check the path (--socket, --config, CCGD_SOCKET) and that ccgd runs"
            }
        return CommandFailure(.unavailable, "cannot reach ccgd at \(failure.socketPath): \(failure.cause); \(advice).")
    }

    /// ccgd's error answer, said as ccgctl would: its sentence with ccgctl's commands and options
    /// for the API's routes and fields, its code for scripts and searches, and the exit status of its class.
    static func failure(_ response: APIClient.Response, subject: Subject) -> CommandFailure {
        guard let error = (try? JSONValue(parsing: response.body)).flatMap(APIErrorAnswer.init(json:)) else {
            return CommandFailure(.failure, "ccgd answered status \(response.status) without an error this ccgctl reads; see ccgd's log.")
        }
        switch (error.code, subject) {
        case let ("not_found", .lease(id)):
            return CommandFailure(.notFound, "no lease \(id) (ccgd shows only leases you created, unless you are root); ccgctl lease list shows them.")
        case ("credspec.not_found", _):
            return CommandFailure(.notFound, "\(words(error.message)) (ccgd: \(error.code))")
        default:
            let option = error.field.flatMap(Self.option(for:)).map { ", option \($0)" } ?? ""
            return CommandFailure(.failure, "\(words(error.message)) (ccgd: \(error.code)\(option))")
        }
    }

    /// The API's routes in a message, as the ccgctl commands that call them.
    static func words(_ message: String) -> String {
        [("GET /v1/leases", "ccgctl lease list"), ("GET /v1/accounts", "ccgctl accounts"), ("GET /v1/health", "ccgctl health")]
            .reduce(message) { $0.replacingOccurrences(of: $1.0, with: $1.1) }
    }

    /// The `lease create` option that sets a request field.
    static func option(for field: String) -> String? {
        switch field {
        case "credentialSpecName": "--credspec"
        case "credentialSpec": "--credspec-file"
        case "owner.uid": "--uid"
        case "owner.gid": "--gid"
        case "containerId": "--container-id"
        case "mountPath": "--mount-path"
        default: field.hasPrefix("credentialSpec.") ? "--credspec-file (\(field.dropFirst("credentialSpec.".count)))" : nil
        }
    }
}
