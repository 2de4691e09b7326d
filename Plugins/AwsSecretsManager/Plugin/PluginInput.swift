import SecretMemory

/// The secret to read: the `credentialArn` of the CredSpec's PluginInput, as Amazon ECS writes it
/// (`{"credentialArn": "arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME"}`), also when the
/// CredSpec holds that object as a JSON string, or the bare ARN.
struct SecretReference: Equatable {
    let arn: String
    let partition: String
    let region: String

    /// Reads ccgd's request line, `{"version":1,"pluginInput":"…"}`.
    init(request bytes: UnsafeRawBufferPointer) throws(PluginFailure) {
        var reader = SecretJSONReader(bytes)
        guard case let .object(members)? = try? reader.document() else {
            throw PluginFailure(.invalidInput, "the request on stdin is not a JSON object; ccgd writes {\"version\":1,\"pluginInput\":\"…\"}")
        }
        guard case let .string(input)? = SecretJSONNode.member("pluginInput", of: members) else {
            throw PluginFailure(.invalidInput, "the request on stdin has no pluginInput string")
        }
        try self.init(pluginInput: input.withBytes { String(decoding: $0, as: UTF8.self) })
    }

    init(pluginInput: String) throws(PluginFailure) {
        var text = pluginInput.trimmingSpaces
        if text.hasPrefix("\"") { // an object's JSON text given as a JSON string
            text = Self.decodedString(text)?.trimmingSpaces ?? text
        }
        if text.hasPrefix("{") {
            var bytes = Array(text.utf8)
            let members: [(key: String, value: SecretJSONNode)]? = bytes.withUnsafeMutableBytes { raw in
                var reader = SecretJSONReader(UnsafeRawBufferPointer(raw))
                if case let .object(members)? = try? reader.document() { return members }
                return nil
            }
            bytes.removeAll()
            guard let members else {
                throw PluginFailure(
                    .invalidInput, "PluginInput is not a JSON object; write {\"credentialArn\": \"arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME\"}")
            }
            guard let arn = SecretJSONNode.member("credentialArn", of: members)?.text, !arn.isEmpty else {
                throw PluginFailure(
                    .invalidInput,
                    "PluginInput has no \"credentialArn\" string; write {\"credentialArn\": \"arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME\"}")
            }
            text = arn
        }
        try self.init(arn: text)
    }

    init(arn: String) throws(PluginFailure) {
        let parts = arn.split(separator: ":", maxSplits: 6, omittingEmptySubsequences: false)
        guard parts.count == 7, parts[0] == "arn", parts[2] == "secretsmanager", parts[5] == "secret",
            !parts[1].isEmpty, !parts[3].isEmpty, !parts[6].isEmpty,
            parts[3].allSatisfy({ $0.isLetter || $0.isNumber || $0 == "-" })
        else {
            throw PluginFailure(
                .invalidInput,
                "credentialArn \"\(arn.prefix(256))\" is not a Secrets Manager secret ARN; write arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME")
        }
        self.arn = arn
        self.partition = String(parts[1])
        self.region = String(parts[3])
    }

    private static func decodedString(_ json: String) -> String? {
        var bytes = Array(json.utf8)
        return bytes.withUnsafeMutableBytes { raw in
            var reader = SecretJSONReader(UnsafeRawBufferPointer(raw))
            return (try? reader.document())?.text
        }
    }
}

/// What the plug-in reports instead of credentials: a code of docs/exec-plugins.md and one sentence.
struct PluginFailure: Error {
    enum Code: String {
        case invalidInput = "invalid_input", notFound = "not_found", accessDenied = "access_denied"
        case unavailable, malformedSecret = "malformed_secret", failed
    }

    let code: Code
    let message: String

    init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }
}
