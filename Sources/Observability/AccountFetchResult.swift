/// The `result` label of `ccgd_account_fetches_total`: `ok`, or the API code of the failure.
package enum AccountFetchResult {
    /// Every result a fetch can count, so that each series is there at zero from the start.
    static let labels =
        ["ok", "error"]
        + [
            ErrorCode.pluginUnknown, .pluginFailed, .pluginTimeout, .authFailed, .directoryAccessDenied,
            .accountNotFound, .directoryUnreachable, .directoryMalformedAnswer, .internal,
        ].map(\.rawValue)

    package static func label(_ error: Error) -> String {
        (error as? CodedError)?.code.rawValue ?? "error"
    }
}
