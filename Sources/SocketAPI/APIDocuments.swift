import ContainerRequest
import FoundationEssentials
import Glibc
import DirectoryPipeline
import LeaseService

/// The JSON shapes of docs/api.md, version 1: the router encodes them, ccgctl decodes them.
package enum APIDocuments {
    /// Reads the documents as the router writes them (dates in ISO 8601).
    package static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    package struct LeaseDocument: Codable, Sendable {
        package struct Files: Codable, Sendable {
            package var keytab = LeaseLayout.keytab
            package var ccache = LeaseLayout.ticketCache
            package var krb5Conf = LeaseLayout.kerberosConfiguration
        }

        package struct Identity: Codable, Sendable {
            package let account: String
            package let realm: String
            package let principal: String
            package let ccache: String
            package let kvno: UInt32
            package let enctypes: [String]
            package let servicePrincipalNames: [String]
        }

        package struct Mount: Codable, Sendable {
            package let source: String
            package let target: String
            package var readOnly = true
        }

        package let id: String
        package let directory: String
        package var files = Files()
        package let identities: [Identity]
        package let hostname: String
        package let mount: Mount
        package let environment: [String: String]
        package let containerId: String?
        package let credentialSpecName: String?
        package let owner: LeaseOwner
        /// The uid of the peer that created it.
        package let creator: UInt32
        package let createdAt: Date
        package let ticketExpiresAt: Date?
        package let refreshAt: Date?
        /// The process whose exit ends the lease.
        package let holder: Holder?
        /// When the lease ends by itself.
        package let expiresAt: Date?
        /// The Kubernetes pod of its container, `namespace/name` (the request's `kubernetesPod`).
        package var kubernetesPod: String?

        package struct Holder: Codable, Sendable, Equatable {
            package let pid: Int32
            package let startTime: UInt64?
        }

        init(_ lease: Lease) {
            id = lease.id.value
            directory = lease.directory
            identities = lease.identities.map {
                Identity(
                    account: $0.account, realm: $0.realm, principal: $0.principal, ccache: $0.ccache, kvno: $0.kvno,
                    enctypes: $0.enctypes, servicePrincipalNames: $0.servicePrincipalNames)
            }
            hostname = lease.hostname
            mount = Mount(source: lease.directory, target: lease.mountPath)
            environment = LeaseLayout(mountPath: lease.mountPath).environment
            containerId = lease.containerID
            credentialSpecName = lease.credentialSpecName
            owner = lease.owner
            creator = lease.creator
            createdAt = lease.createdAt
            ticketExpiresAt = lease.ticketExpiresAt
            refreshAt = lease.refreshAt
            holder = lease.holder.map { Holder(pid: $0.pid, startTime: $0.startTime) }
            expiresAt = lease.expiresAt
            kubernetesPod = lease.kubernetesPod?.description
        }
    }

    package struct LeaseList: Codable, Sendable {
        package let leases: [LeaseDocument]
    }

    package struct AccountDocument: Codable, Sendable {
        package let account: String
        package let realm: String
        package let kvno: UInt32?
        package let enctypes: [String]
        package let fetchedAt: Date?
        package let refreshAt: Date?
        package let leases: Int
        package let state: String
        package let lastError: String?
        /// Kept fresh for the prefetch of a named CredSpec (absent from older daemons).
        package let prefetched: Bool?
        /// The named CredSpecs whose leases or prefetch use it (absent from older daemons).
        package let credSpecs: [String]?
        /// Who reads its password (absent from older daemons).
        package let readBy: Reader?

        /// `{"plugin": "{GUID}", "pluginName": "file"}` or `{"machine": "HOST$@REALM"}`: never the PluginInput.
        package struct Reader: Codable, Sendable, Equatable {
            package let plugin: String?
            package let pluginName: String?
            package let machine: String?
        }

        init(_ status: AccountStatus) {
            account = status.account
            realm = status.realm
            kvno = status.kvno
            enctypes = status.enctypes
            fetchedAt = status.fetchedAt
            refreshAt = status.refreshAt
            leases = status.leases
            state = status.state.rawValue
            lastError = status.lastError
            prefetched = status.prefetched
            credSpecs = status.credSpecs
            switch status.readBy {
            case let .plugin(guid, name): readBy = Reader(plugin: guid, pluginName: name, machine: nil)
            case let .machine(principal): readBy = Reader(plugin: nil, pluginName: nil, machine: principal)
            }
        }
    }

    package struct AccountList: Codable, Sendable {
        package let accounts: [AccountDocument]
    }

    package struct Health: Codable, Sendable {
        package struct Domain: Codable, Sendable {
            package struct Controller: Codable, Sendable {
                package let host: String
                package let state: String
                package let lastContact: Date?
                /// The DC ccgd's last successful read of the realm used (absent from older daemons).
                package var inUse: Bool?
                /// Why a `down` DC failed last (absent otherwise and from older daemons).
                package var cause: String?
                /// One of the DCs of this host's AD site (absent without a site and from older daemons).
                package var inSite: Bool?
            }
            package let realm: String
            package let controllers: [Controller]
            /// This host's AD site for the realm (absent when none is known and from older daemons).
            package var site: String?
            /// How the site was found: `site key` or `LDAP ping of HOST` (absent with `site`).
            package var siteSource: String?
        }
        package let status: String
        package let version: String
        package let leases: Int
        package let accounts: Int
        package let domains: [Domain]
        /// The prefetch of each CredSpec of the CredSpec directory (absent from older daemons;
        /// empty when prefetch is off).
        package var prefetch: [Prefetch]?
        /// Why `status` is degraded, one sentence each; empty when ok (absent from older daemons).
        package var reasons: [String]?

        package struct Prefetch: Codable, Sendable {
            package let credSpec: String
            /// fresh, refreshing (not fetched yet), stale, failed (retried with backoff), invalid (skipped).
            package let state: String
            package let lastError: String?

            init(_ status: PrefetchStatus) {
                credSpec = status.credSpec
                state = status.state
                lastError = status.lastError
            }
        }
    }

    /// Every error's body: `{"error": {"code", "message", "field"}}`.
    package struct ErrorBody: Codable, Sendable {
        package struct Detail: Codable, Sendable {
            package let code: String
            package let message: String
            package let field: String?
        }
        package let error: Detail
    }
}
