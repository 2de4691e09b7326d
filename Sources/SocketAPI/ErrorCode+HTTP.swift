import Observability

extension ErrorCode {
    /// The HTTP status that goes with the code.
    package var httpStatus: Int {
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
