/// The stable error codes of the socket API (docs/api.md), shared by every error a user can cause.
public enum ErrorCode: String, Sendable, Codable {
    case badRequest = "bad_request"
    case credspecInvalid = "credspec.invalid"
    case credspecNotFound = "credspec.not_found"
    /// Inline CredSpecs are turned off (`allow-inline-credspecs` in `[daemon]`).
    case credspecInlineDisabled = "credspec.inline_disabled"
    case forbidden = "forbidden"
    case notFound = "not_found"
    /// The route exists, but not with this method.
    case methodNotAllowed = "method_not_allowed"
    case payloadTooLarge = "payload_too_large"
    /// The peer's uid (or all non-root peers together, or everyone) already holds every connection it may.
    case connectionsExceeded = "connections.exceeded"
    case pluginUnknown = "plugin.unknown"
    case pluginFailed = "plugin.failed"
    case pluginTimeout = "plugin.timeout"
    case authFailed = "auth.failed"
    case directoryAccessDenied = "directory.access_denied"
    case accountNotFound = "account.not_found"
    case directoryUnreachable = "directory.unreachable"
    /// The DC answered with something AD never sends (a malformed password blob, say).
    case directoryMalformedAnswer = "directory.malformed_answer"
    /// The runtime or state directory cannot take the lease (full, read-only, gone).
    case storageUnavailable = "storage.unavailable"
    /// The lease's holder process is not running.
    case holderGone = "holder.gone"
    /// The caller holds as many leases as it may (`max-leases`).
    case quotaExceeded = "quota.exceeded"
    /// The lease directories' file system is down to the room ccgd leaves to others.
    case storageFull = "storage.full"
    case `internal` = "internal"

    /// The HTTP status that goes with the code.
    public var httpStatus: Int {
        switch self {
        case .badRequest, .credspecInvalid: 400
        case .forbidden, .credspecInlineDisabled: 403
        case .credspecNotFound, .notFound: 404
        case .methodNotAllowed: 405
        case .holderGone: 409
        case .quotaExceeded: 429
        case .storageFull: 507
        case .payloadTooLarge: 413
        case .connectionsExceeded: 429
        case .pluginUnknown: 422
        case .pluginFailed, .authFailed, .directoryAccessDenied, .accountNotFound, .directoryMalformedAnswer: 502
        case .directoryUnreachable, .storageUnavailable: 503
        case .pluginTimeout: 504
        case .internal: 500
        }
    }
}

/// An error that knows its API code; its description is the one sentence shown to people.
public protocol CodedError: Error, CustomStringConvertible {
    var code: ErrorCode { get }
}
