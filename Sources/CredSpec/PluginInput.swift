import JSON

/// What the CredSpec hands its plug-in (`HostAccountConfig.PluginInput`): usually a string, but
/// AWS ECS CredSpecs carry a JSON object such as `{"credentialArn": "arn:aws:secretsmanager:…"}`.
package enum PluginInput: Sendable, Equatable, ExpressibleByStringLiteral {
    /// A string, handed to the plug-in as it is.
    case string(String)
    /// An object, members in document order and numbers as written.
    case object(JSONObject)

    /// A string input.
    package init(stringLiteral value: String) { self = .string(value) }

    /// The text the plug-in receives: the string itself, or the object as compact JSON.
    package var text: String {
        switch self {
        case .string(let string): string
        case .object(let object): JSONValue.object(object).compactText
        }
    }

    /// The input as it stands in the CredSpec's JSON.
    package var jsonValue: JSONValue {
        switch self {
        case .string(let string): .string(string)
        case .object(let object): .object(object)
        }
    }
}
