import CredSpec
import GRPCUnaryServer
import Observability
import LeaseService

/// The gRPC status of each failure, with its one sentence (the HTTP API's codes, mapped).
enum ECSStatus {
    static func of(_ error: LeaseError) -> RPCStatus {
        RPCStatus(code: code(error.code), message: error.description)
    }

    static func code(_ code: ErrorCode) -> RPCStatus.Code {
        switch code {
        case .badRequest, .credspecInvalid: .invalidArgument
        case .methodNotAllowed: .unimplemented
        case .credspecNotFound, .notFound, .accountNotFound: .notFound
        case .forbidden, .credspecInlineDisabled, .directoryAccessDenied: .permissionDenied
        case .authFailed: .unauthenticated
        case .pluginUnknown, .pluginFailed: .failedPrecondition
        case .pluginTimeout: .deadlineExceeded
        case .directoryUnreachable, .storageUnavailable: .unavailable
        case .payloadTooLarge, .quotaExceeded, .storageFull, .connectionsExceeded: .resourceExhausted
        case .holderGone: .failedPrecondition
        case .directoryMalformedAnswer, .internal: .internalError
        }
    }

    /// A CredSpec of the request that fails validation, named by its JSON path.
    static func invalid(_ error: CredentialSpecError, index: Int) -> RPCStatus {
        let path = "credspec_contents[\(index)]" + (error.field.map { "." + $0 } ?? "")
        return RPCStatus(code: .invalidArgument, message: "\(path): \(error.message)")
    }

    static func missing(_ field: String, _ what: String) -> RPCStatus {
        RPCStatus(code: .invalidArgument, message: "\(field) is empty; pass \(what).")
    }

    static let unknownPeer = RPCStatus(
        code: .permissionDenied,
        message: "ccgd cannot tell who is calling (SO_PEERCRED); connect over its Unix socket as a peer in allowed-uids or allowed-gids of [daemon].")

    static func notAllowed(_ uid: UInt32) -> RPCStatus {
        RPCStatus(code: .permissionDenied, message: "peer uid \(uid) is not in allowed-uids or allowed-gids of [daemon]; add it there or call as root.")
    }

    /// AddKerberosLease for a realm this host does not read as itself.
    static func notDomainJoined(realm: String) -> RPCStatus {
        RPCStatus(
            code: .failedPrecondition,
            message:
                "AddKerberosLease reads gMSA passwords with this host's computer account, but ccgd.conf does not say that this host is joined to \(realm); add mode = domain-joined with machine-keytab and machine-principal (the host's join) to [domain \"\(realm)\"], or use AddNonDomainJoinedKerberosLease with the portable user's credentials."
        )
    }

    static func noLease(_ id: String) -> RPCStatus {
        RPCStatus(
            code: .notFound,
            message: "no lease \(id); it was deleted or never created (lease ids are those AddKerberosLease and AddNonDomainJoinedKerberosLease answered).")
    }
}
