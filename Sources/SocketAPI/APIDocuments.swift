import CredentialGuard
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// The JSON shapes of docs/api.md, version 1.
enum APIDocuments {
    struct LeaseDocument: Encodable {
        struct Files: Encodable {
            let keytab = "krb5.keytab"
            let ccache = "krb5cc"
            let krb5Conf = "krb5.conf"
        }

        struct Identity: Encodable {
            let account: String
            let realm: String
            let principal: String
            let ccache: String
            let kvno: UInt32
            let enctypes: [String]
            let servicePrincipalNames: [String]
        }

        struct Mount: Encodable {
            let source: String
            let target: String
            let readOnly = true
        }

        let id: String
        let directory: String
        let files = Files()
        let identities: [Identity]
        let hostname: String
        let mount: Mount
        let environment: [String: String]
        let containerId: String?
        let credentialSpecName: String?
        let owner: LeaseOwner
        /// The uid of the peer that created it (absent for leases recorded by an older ccgd).
        let creator: UInt32?
        let createdAt: Date
        let ticketExpiresAt: Date?
        let refreshAt: Date?

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
        }
    }

    struct LeaseList: Encodable {
        let leases: [LeaseDocument]
    }

    struct AccountDocument: Encodable {
        let account: String
        let realm: String
        let kvno: UInt32?
        let enctypes: [String]
        let fetchedAt: Date?
        let refreshAt: Date?
        let leases: Int
        let state: String
        let lastError: String?

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
        }
    }

    struct AccountList: Encodable {
        let accounts: [AccountDocument]
    }

    struct Health: Encodable {
        struct Domain: Encodable {
            struct Controller: Encodable {
                let host: String
                let state: String
                let lastContact: Date?
            }
            let realm: String
            let controllers: [Controller]
        }
        let status: String
        let version: String
        let leases: Int
        let accounts: Int
        let domains: [Domain]
    }
}
