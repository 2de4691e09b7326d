import ArgumentParser
import Foundation
import JSON
import LeaseDocuments
import NIOHTTP1
import SocketAPI

struct LeaseCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lease", abstract: "Create, list, show and delete leases on a running ccgd.",
        subcommands: [Create.self, List.self, Show.self, Delete.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create a lease for a CredSpec and print where its files are.")

        @OptionGroup var daemon: DaemonOptions

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
            let source: LeaseRequestBody.Source
            switch (name, file) {
            case let (name?, nil): source = .named(name)
            case let (nil, file?):
                guard let data = FileManager.default.contents(atPath: file), let spec = try? JSONValue(parsing: data) else {
                    throw ValidationError("\(file) is not a readable JSON file; check the path.")
                }
                source = .inline(spec)
            default: throw ValidationError("give exactly one of --credspec NAME and --credspec-file FILE.")
            }
            var request = LeaseRequestBody(source: source, containerID: containerID, mountPath: mountPath)
            if uid != nil || gid != nil {
                request.ownerUID = uid ?? getuid()
                request.ownerGID = gid ?? getgid()
            }
            let body = request.json.compactUTF8
            let lease = try await daemon.call(.POST, "/v1/leases", body: body, as: APIDocuments.LeaseDocument.self)
            if !daemon.json { LeaseText.print(lease) }
        }
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List the leases.")
        @OptionGroup var daemon: DaemonOptions

        func run() async throws {
            let answer = try await daemon.call(.GET, "/v1/leases", as: APIDocuments.LeaseList.self)
            guard !daemon.json else { return }
            // Whole ids and container ids: a script or a person copies them into the next command.
            let rows = answer.leases.map { lease in
                [
                    lease.id, lease.identities.first?.principal ?? "(pending)", "\(lease.owner.uid):\(lease.owner.gid)",
                    lease.credentialSpecName ?? "(inline)", lease.containerId ?? "-", LeaseText.time(lease.ticketExpiresAt),
                ]
            }
            print(TextColumns.render([["ID", "PRINCIPAL", "OWNER", "CREDSPEC", "CONTAINER", "TICKET EXPIRES"]] + rows))
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show one lease.")
        @OptionGroup var daemon: DaemonOptions
        @Argument(help: "The lease id.") var id: String

        func run() async throws {
            let lease = try await daemon.call(.GET, "/v1/leases/\(id)", subject: .lease(id), as: APIDocuments.LeaseDocument.self)
            if !daemon.json { LeaseText.print(lease) }
        }
    }

    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a lease; its directory is gone when this returns.")
        @OptionGroup var daemon: DaemonOptions
        @Argument(help: "The lease id.") var id: String

        func run() async throws {
            _ = try await daemon.call(.DELETE, "/v1/leases/\(id)", subject: .lease(id))
            if !daemon.json { print("deleted \(id)") }
        }
    }
}

struct AccountsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "accounts", abstract: "List the gMSAs ccgd keeps fresh, by CredSpec, with who reads each password.",
        discussion:
            "One row per account and reader: ccgd fetches an account once per plug-in and PluginInput (or computer account) that reads it. READ BY is the plug-in (name and PluginGUID) or the computer account; never the PluginInput."
    )
    @OptionGroup var daemon: DaemonOptions

    func run() async throws {
        let answer = try await daemon.call(.GET, "/v1/accounts", as: APIDocuments.AccountList.self)
        guard !daemon.json else { return }
        // Grouped by CredSpec: the CREDSPEC cell is left empty on the rows that follow in its group.
        let sorted = answer.accounts.sorted { (Self.credSpecs($0), $0.account, $0.realm) < (Self.credSpecs($1), $1.account, $1.realm) }
        var previous: String?
        let rows = sorted.map { account -> [String] in
            let group = Self.credSpecs(account)
            defer { previous = group }
            return [
                group == previous ? "" : group, account.account, account.realm, account.kvno.map { "\($0)" } ?? "-", account.state,
                "\(account.leases)", LeaseText.time(account.refreshAt), Self.reader(account.readBy), account.lastError ?? "",
            ]
        }
        print(TextColumns.render([["CREDSPEC", "ACCOUNT", "REALM", "KVNO", "STATE", "LEASES", "REFRESH AT", "READ BY", "LAST ERROR"]] + rows))
    }

    static func credSpecs(_ account: APIDocuments.AccountDocument) -> String {
        guard let names = account.credSpecs, !names.isEmpty else { return "(inline)" }
        return names.joined(separator: ",")
    }

    static func reader(_ reader: APIDocuments.AccountDocument.Reader?) -> String {
        if let machine = reader?.machine { return "computer account \(machine)" }
        guard let guid = reader?.plugin else { return "-" }
        return "plug-in \(reader?.pluginName.map { $0 + " " } ?? "")\(guid)"
    }
}

struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health", abstract: "Show ccgd's health, why it is degraded, and its domain controllers.",
        discussion: "Exits 0 when ccgd is ok, 2 when it is degraded (each reason on a line of its own), 69 when it cannot be reached.")
    @OptionGroup var daemon: DaemonOptions

    func run() async throws {
        let health = try await daemon.call(.GET, "/v1/health", as: APIDocuments.Health.self)
        if !daemon.json {
            print("status    \(health.status) (ccgd \(health.version))")
            for reason in health.reasons ?? [] { print("  reason  \(reason)") }
            print("leases    \(health.leases)")
            print("accounts  \(health.accounts)")
            for domain in health.domains {
                print("domain    \(domain.realm)")
                for controller in domain.controllers {
                    print(
                        "  dc      \(controller.host)  \(controller.state)\(controller.inUse == true ? "  in use" : "")  last contact \(LeaseText.time(controller.lastContact, else: "never"))\(controller.cause.map { "  (\($0))" } ?? "")"
                    )
                }
            }
        }
        guard health.status == "ok" else {
            let reasons = health.reasons ?? []
            throw CommandFailure(
                .degraded, "ccgd is \(health.status)" + (reasons.isEmpty ? "." : ": \(reasons.count) reason\(reasons.count == 1 ? "" : "s") above."))
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
