import CredSpec
import FoundationEssentials

/// A CredSpec as the ECS agent passes it (`credspec_contents[i]`): for a non-domain-joined lease
/// made to name the provided credentials (its HostAccountConfig, if any, is replaced, since the
/// agent passes the portable user itself); for a domain-joined one, without HostAccountConfig.
enum ECSCredentialSpec {
    /// Parses `text` and points it at `input` of the provided-credentials plug-in.
    static func parse(_ text: String, pluginInput input: String) throws(CredentialSpecError) -> CredentialSpec {
        let host: JSONValue = [
            "PortableCcgVersion": .string(HostAccountConfig.supportedPortableCcgVersion),
            "PluginGUID": .string(ProvidedCredentials.guid.description),
            "PluginInput": .string(input),
        ]
        return try parse(text, hostAccountConfig: host)
    }

    /// Parses `text` for AddKerberosLease: without a HostAccountConfig, so that the host's
    /// computer account reads it (and the journal keeps no plug-in input of the agent's).
    static func parseDomainJoined(_ text: String) throws(CredentialSpecError) -> CredentialSpec {
        try parse(text, hostAccountConfig: nil)
    }

    /// `text` with its HostAccountConfig replaced by `host` (nil: removed).
    private static func parse(_ text: String, hostAccountConfig host: JSONValue?) throws(CredentialSpecError) -> CredentialSpec {
        guard text.utf8.count <= CredentialSpec.maximumByteCount else { throw .tooLarge(limit: CredentialSpec.maximumByteCount) }
        let json = try JSONValue(parsing: Data(text.utf8))
        guard case var .object(document) = json else {
            throw .wrongType(field: "", expected: [.object], found: json.kind)
        }
        // Property names are matched case-insensitively, as the parser does.
        if let index = document.members.firstIndex(where: { $0.key.lowercased() == "activedirectoryconfig" }),
           case var .object(directory) = document.members[index].value {
            directory.members.removeAll { $0.key.lowercased() == "hostaccountconfig" }
            if let host { directory.members.append((key: "HostAccountConfig", value: host)) }
            document.members[index].value = .object(directory)
        }
        return try CredentialSpec(json: .object(document))
    }
}
