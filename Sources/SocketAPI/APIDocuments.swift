import CredentialGuard
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The JSON shapes of docs/api.md, version 1: the router encodes them, ccgctl decodes them.
public enum APIDocuments {
    /// Reads the documents as the router writes them (dates in ISO 8601).
    public static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }()

    public struct LeaseDocument: Codable, Sendable {
        public struct Files: Codable, Sendable {
            public var keytab = "krb5.keytab"
            public var ccache = "krb5cc"
            public var krb5Conf = "krb5.conf"
        }

        public struct Identity: Codable, Sendable {
            public let account: String
            public let realm: String
            public let principal: String
            public let ccache: String
            public let kvno: UInt32
            public let enctypes: [String]
            public let servicePrincipalNames: [String]
        }

        public struct Mount: Codable, Sendable {
            public let source: String
            public let target: String
            public var readOnly = true
        }

        public let id: String
        public let directory: String
        public var files = Files()
        public let identities: [Identity]
        public let hostname: String
        public let mount: Mount
        public let environment: [String: String]
        public let containerId: String?
        public let credentialSpecName: String?
        public let owner: LeaseOwner
        /// The uid of the peer that created it (absent for leases recorded by an older ccgd).
        public let creator: UInt32?
        public let createdAt: Date
        public let ticketExpiresAt: Date?
        public let refreshAt: Date?
        /// The process whose exit ends the lease.
        public let holder: Holder?
        /// When the lease ends by itself.
        public let expiresAt: Date?

        public struct Holder: Codable, Sendable, Equatable {
            public let pid: Int32
            public let startTime: UInt64?
        }

        init(_ lease: Lease) {
            id = lease.id.value
            directory = lease.directory
            identities = lease.identities.map {
                Identity(account: $0.account, realm: $0.realm, principal: $0.principal, ccache: $0.ccache, kvno: $0.kvno,
                         enctypes: $0.enctypes, servicePrincipalNames: $0.servicePrincipalNames)
            }
            hostname = lease.hostname
            mount = Mount(source: lease.directory, target: lease.mountPath)
            let inside = lease.mountPath.hasSuffix("/") ? String(lease.mountPath.dropLast()) : lease.mountPath
            environment = [
                "KRB5CCNAME": "FILE:\(inside)/krb5cc",
                "KRB5_KTNAME": "FILE:\(inside)/krb5.keytab",
                "KRB5_CLIENT_KTNAME": "FILE:\(inside)/krb5.keytab",
                "KRB5_CONFIG": "\(inside)/krb5.conf",
            ]
            containerId = lease.containerID
            credentialSpecName = lease.credentialSpecName
            owner = lease.owner
            creator = lease.creator
            createdAt = lease.createdAt
            ticketExpiresAt = lease.ticketExpiresAt
            refreshAt = lease.refreshAt
            holder = lease.holder.map { Holder(pid: $0.pid, startTime: $0.startTime) }
            expiresAt = lease.expiresAt
        }
    }

    public struct LeaseList: Codable, Sendable {
        public let leases: [LeaseDocument]
    }

    public struct AccountDocument: Codable, Sendable {
        public let account: String
        public let realm: String
        public let kvno: UInt32?
        public let enctypes: [String]
        public let fetchedAt: Date?
        public let refreshAt: Date?
        public let leases: Int
        public let state: String
        public let lastError: String?
        /// Kept fresh for the prefetch of a named CredSpec (absent from older daemons).
        public let prefetched: Bool?
        /// The named CredSpecs whose leases or prefetch use it (absent from older daemons).
        public let credSpecs: [String]?
        /// Who reads its password (absent from older daemons).
        public let readBy: Reader?

        /// `{"plugin": "{GUID}", "pluginName": "file"}` or `{"machine": "HOST$@REALM"}`: never the PluginInput.
        public struct Reader: Codable, Sendable, Equatable {
            public let plugin: String?
            public let pluginName: String?
            public let machine: String?
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

    public struct AccountList: Codable, Sendable {
        public let accounts: [AccountDocument]
    }

    public struct Health: Codable, Sendable {
        public struct Domain: Codable, Sendable {
            public struct Controller: Codable, Sendable {
                public let host: String
                public let state: String
                public let lastContact: Date?
                /// The DC ccgd's last successful read of the realm used (absent from older daemons).
                public var inUse: Bool?
                /// Why a `down` DC failed last (absent otherwise and from older daemons).
                public var cause: String?
            }
            public let realm: String
            public let controllers: [Controller]
        }
        public let status: String
        public let version: String
        public let leases: Int
        public let accounts: Int
        public let domains: [Domain]
        /// The prefetch of each CredSpec of the CredSpec directory (absent from older daemons;
        /// empty when prefetch is off).
        public var prefetch: [Prefetch]?
        /// Why `status` is degraded, one sentence each; empty when ok (absent from older daemons).
        public var reasons: [String]?

        public struct Prefetch: Codable, Sendable {
            public let credSpec: String
            /// fresh, refreshing (not fetched yet), stale, failed (retried with backoff), invalid (skipped).
            public let state: String
            public let lastError: String?

            init(_ status: PrefetchStatus) {
                credSpec = status.credSpec
                state = status.state
                lastError = status.lastError
            }
        }
    }

    /// Every error's body: `{"error": {"code", "message", "field"}}`.
    public struct ErrorBody: Codable, Sendable {
        public struct Detail: Codable, Sendable {
            public let code: String
            public let message: String
            public let field: String?
        }
        public let error: Detail
    }
}
