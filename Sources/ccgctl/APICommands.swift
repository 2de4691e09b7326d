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
    func call(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil) async throws -> APIClient.Response {
        let response = try await APIClient(socketPath: socket).send(method, path, body: body)
        if json && (200..<300).contains(response.status) && !response.body.isEmpty {
            print(response.text, terminator: response.text.hasSuffix("\n") ? "" : "\n")
        }
        guard (200..<300).contains(response.status) else {
            if let body = try? APIDocuments.decoder.decode(APIDocuments.ErrorBody.self, from: Data(response.body)) {
                let field = body.error.field.map { " (field \($0))" } ?? ""
                throw ValidationError("\(body.error.code)\(field): \(body.error.message)")
            }
            throw ValidationError("ccgd answered \(response.status): \(response.text)")
        }
        return response
    }

    /// Sends the request and reads the answer as `Document`.
    func call<Document: Decodable>(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil,
                                   as document: Document.Type) async throws -> Document {
        let response = try await call(method, path, body: body)
        do { return try APIDocuments.decoder.decode(Document.self, from: Data(response.body)) } catch {
            throw ValidationError("ccgd's answer to \(method) \(path) is not the document this ccgctl knows (\(error)); are ccgd and ccgctl of the same version?")
        }
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
            let lease = try await api.call(.POST, "/v1/leases", body: body, as: APIDocuments.LeaseDocument.self)
            if !api.json { LeaseText.print(lease) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the leases.")
        @OptionGroup var api: APIOptions

        func run() async throws {
            let answer = try await api.call(.GET, "/v1/leases", as: APIDocuments.LeaseList.self)
            guard !api.json else { return }
            print("ID                        PRINCIPAL                         OWNER        CONTAINER     TICKET EXPIRES")
            for lease in answer.leases {
                print([
                    lease.id.padding(toLength: 26, withPad: " ", startingAt: 0),
                    (lease.identities.first?.principal ?? "(pending)").padding(toLength: 34, withPad: " ", startingAt: 0),
                    "\(lease.owner.uid):\(lease.owner.gid)".padding(toLength: 13, withPad: " ", startingAt: 0),
                    String((lease.containerId ?? "-").prefix(12)).padding(toLength: 14, withPad: " ", startingAt: 0),
                    LeaseText.time(lease.ticketExpiresAt),
                ].joined())
            }
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one lease.")
        @OptionGroup var api: APIOptions
        @Argument(help: "The lease id.") var id: String

        func run() async throws {
            let lease = try await api.call(.GET, "/v1/leases/\(id)", as: APIDocuments.LeaseDocument.self)
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
        let answer = try await api.call(.GET, "/v1/accounts", as: APIDocuments.AccountList.self)
        guard !api.json else { return }
        print("ACCOUNT           REALM             KVNO  STATE       LEASES  REFRESH AT            LAST ERROR")
        for account in answer.accounts {
            print([
                account.account.padding(toLength: 18, withPad: " ", startingAt: 0),
                account.realm.padding(toLength: 18, withPad: " ", startingAt: 0),
                (account.kvno.map { "\($0)" } ?? "-").padding(toLength: 6, withPad: " ", startingAt: 0),
                account.state.padding(toLength: 12, withPad: " ", startingAt: 0),
                "\(account.leases)".padding(toLength: 8, withPad: " ", startingAt: 0),
                LeaseText.time(account.refreshAt).padding(toLength: 22, withPad: " ", startingAt: 0),
                account.lastError ?? "",
            ].joined())
        }
    }
}

struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "health", abstract: "Show ccgd's health and its domain controllers.")
    @OptionGroup var api: APIOptions

    func run() async throws {
        let health = try await api.call(.GET, "/v1/health", as: APIDocuments.Health.self)
        guard !api.json else { return }
        print("status    \(health.status) (ccgd \(health.version))")
        print("leases    \(health.leases)")
        print("accounts  \(health.accounts)")
        for domain in health.domains {
            print("domain    \(domain.realm)")
            for controller in domain.controllers {
                print("  dc      \(controller.host)  \(controller.state)  last contact \(LeaseText.time(controller.lastContact, else: "never"))")
            }
        }
    }
}

/// A lease for people.
enum LeaseText {
    static func print(_ lease: APIDocuments.LeaseDocument) {
        Swift.print("id          \(lease.id)")
        Swift.print("directory   \(lease.directory)")
        Swift.print("mount       \(lease.mount.source) -> \(lease.mount.target) (read-only)")
        Swift.print("hostname    \(lease.hostname)")
        for identity in lease.identities {
            Swift.print("identity    \(identity.principal)  kvno \(identity.kvno)  ccache \(identity.ccache)")
        }
        for (key, value) in lease.environment.sorted(by: { $0.key < $1.key }) { Swift.print("env         \(key)=\(value)") }
        Swift.print("expires     \(time(lease.ticketExpiresAt))")
        Swift.print("refresh at  \(time(lease.refreshAt))")
    }

    /// A time as the API writes it (ISO 8601, UTC), or `missing`.
    static func time(_ date: Date?, else missing: String = "-") -> String {
        date.map { $0.formatted(.iso8601) } ?? missing
    }
}
