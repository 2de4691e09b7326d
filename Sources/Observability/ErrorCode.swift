/// The stable error codes every error a user can cause carries (docs/api.md): each front end
/// maps them to its protocol (HTTP statuses in SocketAPI, gRPC codes in ECSFrontEnd).
package enum ErrorCode: String, Sendable, Codable {
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
}

/// An error that knows its API code; its description is the one sentence shown to people.
package protocol CodedError: Error, CustomStringConvertible {
    var code: ErrorCode { get }
}
