import ArgumentParser
import Configuration
import Foundation
import NIOHTTP1
import SocketAPI

/// `--socket` and `--json`, shared by the commands that talk to a running ccgd.
struct APIOptions: ParsableArguments {
    @Option(help: "ccgd's API socket.")
    var socket = ServiceConfiguration.Daemon().socket

    @Flag(help: "Print ccgd's JSON answer as it is.")
    var json = false

    /// Sends the request; a 4xx/5xx answer becomes the error's one-sentence message.
    func call(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil) async throws -> [String: Any] {
        let response = try await APIClient(socketPath: socket).send(method, path, body: body)
        if json && (200..<300).contains(response.status) && !response.body.isEmpty {
            print(response.text, terminator: response.text.hasSuffix("\n") ? "" : "\n")
        }
        let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
        guard (200..<300).contains(response.status) else {
            if let error = object["error"] as? [String: Any], let message = error["message"] as? String {
                let code = error["code"] as? String ?? "error"
                let field = (error["field"] as? String).map { " (field \($0))" } ?? ""
                throw ValidationError("\(code)\(field): \(message)")
            }
            throw ValidationError("ccgd answered \(response.status): \(response.text)")
        }
        return object
    }
}

struct LeaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lease", abstract: "Create, list, show and delete leases on a running ccgd.",
        subcommands: [Create.self, List.self, Show.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a lease for a CredSpec and print where its files are.")

        @OptionGroup var api: APIOptions

        @Option(name: .customLong("credspec"), help: "A CredSpec name in ccgd's CredSpec directory.")
        var name: String?

        @Option(name: .customLong("credspec-file"), help: "A CredSpec file to send inline (the daemon needs allow-inline-credspecs = yes).")
        var file: String?

        @Option(help: "The uid that will own the lease's files (default: yours).")
        var uid: UInt32?

        @Option(help: "The gid that will own the lease's files (default: yours).")
        var gid: UInt32?

        @Option(name: .customLong("container-id"), help: "The container's id, kept with the lease.")
        var containerID: String?

        @Option(name: .customLong("mount-path"), help: "Where the container will mount the lease directory.")
        var mountPath: String?

        func run() async throws {
            var request: [String: Any] = [:]
            switch (name, file) {
            case let (name?, nil): request["credentialSpecName"] = name
            case let (nil, file?):
                guard let data = FileManager.default.contents(atPath: file),
                      let spec = try? JSONSerialization.jsonObject(with: data) else {
                    throw ValidationError("\(file) is not a readable JSON file; check the path.")
                }
                request["credentialSpec"] = spec
            default: throw ValidationError("give exactly one of --credspec NAME and --credspec-file FILE.")
            }
            if uid != nil || gid != nil { request["owner"] = ["uid": uid ?? getuid(), "gid": gid ?? getgid()] }
            if let containerID { request["containerId"] = containerID }
            if let mountPath { request["mountPath"] = mountPath }
            let body = Array(try JSONSerialization.data(withJSONObject: request))
            let lease = try await api.call(.POST, "/v1/leases", body: body)
            if !api.json { LeaseText.print(lease) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the leases.")
        @OptionGroup var api: APIOptions

        func run() async throws {
            let answer = try await api.call(.GET, "/v1/leases")
            guard !api.json else { return }
            let leases = answer["leases"] as? [[String: Any]] ?? []
            print("ID                        PRINCIPAL                         OWNER        CONTAINER     TICKET EXPIRES")
            for lease in leases {
                let identity = (lease["identities"] as? [[String: Any]])?.first
                let owner = lease["owner"] as? [String: Any]
                print([
                    (lease["id"] as? String ?? "").padding(toLength: 26, withPad: " ", startingAt: 0),
                    (identity?["principal"] as? String ?? "(pending)").padding(toLength: 34, withPad: " ", startingAt: 0),
                    "\(owner?["uid"] ?? "?"):\(owner?["gid"] ?? "?")".padding(toLength: 13, withPad: " ", startingAt: 0),
                    String((lease["containerId"] as? String ?? "-").prefix(12)).padding(toLength: 14, withPad: " ", startingAt: 0),
                    lease["ticketExpiresAt"] as? String ?? "-",
                ].joined())
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one lease.")
        @OptionGroup var api: APIOptions
        @Argument(help: "The lease id.") var id: String

        func run() async throws {
            let lease = try await api.call(.GET, "/v1/leases/\(id)")
            if !api.json { LeaseText.print(lease) }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a lease; its directory is gone when this returns.")
        @OptionGroup var api: APIOptions
        @Argument(help: "The lease id.") var id: String

        func run() async throws {
            _ = try await api.call(.DELETE, "/v1/leases/\(id)")
            if !api.json { print("deleted \(id)") }
        }
    }
}

struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "accounts", abstract: "List the gMSAs ccgd keeps fresh.")
    @OptionGroup var api: APIOptions

    func run() async throws {
        let answer = try await api.call(.GET, "/v1/accounts")
        guard !api.json else { return }
        print("ACCOUNT           REALM             KVNO  STATE       LEASES  REFRESH AT            LAST ERROR")
        for account in answer["accounts"] as? [[String: Any]] ?? [] {
            print([
                (account["account"] as? String ?? "").padding(toLength: 18, withPad: " ", startingAt: 0),
                (account["realm"] as? String ?? "").padding(toLength: 18, withPad: " ", startingAt: 0),
                "\(account["kvno"] ?? "-")".padding(toLength: 6, withPad: " ", startingAt: 0),
                (account["state"] as? String ?? "").padding(toLength: 12, withPad: " ", startingAt: 0),
                "\(account["leases"] ?? 0)".padding(toLength: 8, withPad: " ", startingAt: 0),
                (account["refreshAt"] as? String ?? "-").padding(toLength: 22, withPad: " ", startingAt: 0),
                account["lastError"] as? String ?? "",
            ].joined())
        }
    }
}

struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "health", abstract: "Show ccgd's health and its domain controllers.")
    @OptionGroup var api: APIOptions

    func run() async throws {
        let health = try await api.call(.GET, "/v1/health")
        guard !api.json else { return }
        print("status    \(health["status"] ?? "?") (ccgd \(health["version"] ?? "?"))")
        print("leases    \(health["leases"] ?? 0)")
        print("accounts  \(health["accounts"] ?? 0)")
        for domain in health["domains"] as? [[String: Any]] ?? [] {
            print("domain    \(domain["realm"] ?? "?")")
            for controller in domain["controllers"] as? [[String: Any]] ?? [] {
                print("  dc      \(controller["host"] ?? "?")  \(controller["state"] ?? "?")  last contact \(controller["lastContact"] ?? "never")")
            }
        }
    }
}

/// A lease for people.
enum LeaseText {
    static func print(_ lease: [String: Any]) {
        Swift.print("id          \(lease["id"] ?? "?")")
        Swift.print("directory   \(lease["directory"] ?? "?")")
        if let mount = lease["mount"] as? [String: Any] { Swift.print("mount       \(mount["source"] ?? "?") -> \(mount["target"] ?? "?") (read-only)") }
        Swift.print("hostname    \(lease["hostname"] ?? "")")
        for identity in lease["identities"] as? [[String: Any]] ?? [] {
            Swift.print("identity    \(identity["principal"] ?? "?")  kvno \(identity["kvno"] ?? "?")  ccache \(identity["ccache"] ?? "?")")
        }
        if let environment = lease["environment"] as? [String: String] {
            for (key, value) in environment.sorted(by: { $0.key < $1.key }) { Swift.print("env         \(key)=\(value)") }
        }
        Swift.print("expires     \(lease["ticketExpiresAt"] ?? "-")")
        Swift.print("refresh at  \(lease["refreshAt"] ?? "-")")
    }
}
