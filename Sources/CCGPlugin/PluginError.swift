/// A plug-in failure with a stable code and a message an operator can act on. Plug-ins throw
/// it (or any error: ccgd then reports its description) and must never put a secret in it.
public struct PluginError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable codes ccgd and operators can match on.
    public enum Code: String, Sendable {
        /// The plug-in input is malformed or names nothing.
        case invalidInput = "invalid_input"
        /// The secret store does not have the secret.
        case notFound = "not_found"
        /// The secret store refused access.
        case accessDenied = "access_denied"
        /// The secret store could not be reached.
        case unavailable = "unavailable"
        /// The secret exists but is not in a format the plug-in understands.
        case malformedSecret = "malformed_secret"
        /// Anything else.
        case failed = "failed"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { message }
}
