import CredSpec
import JSON
import FoundationEssentials
import Synchronization

/// A CredSpec as the ECS agent passes it (`credspec_contents[i]`): for a non-domain-joined lease
/// made to name the provided credentials (its HostAccountConfig, if any, is replaced, since the
/// agent passes the portable user itself); for a domain-joined one, without HostAccountConfig.
enum ECSCredentialSpec {
    /// The CredSpecs parsed last, by text and plug-in input: the agent sends the same CredSpec for
    /// every task of a task definition, and parsing and validating one costs more than the rest of
    /// a warm lease.
    private static let parsed = ParsedCredentialSpecs()

    /// Parses `text` and points it at `input` of the provided-credentials plug-in.
    static func parse(_ text: String, pluginInput input: String) throws(CredentialSpecError) -> CredentialSpec {
        if let known = parsed.spec(text, input: input) { return known }
        let host: JSONValue = [
            "PortableCcgVersion": .string(HostAccountConfig.supportedPortableCcgVersion),
            "PluginGUID": .string(ProvidedCredentials.guid.description),
            "PluginInput": .string(input),
        ]
        let spec = try parse(text, hostAccountConfig: host)
        parsed.store(spec, text: text, input: input)
        return spec
    }

    /// Parses `text` for AddKerberosLease: without a HostAccountConfig, so that the host's
    /// computer account reads it (and the journal keeps no plug-in input of the agent's).
    static func parseDomainJoined(_ text: String) throws(CredentialSpecError) -> CredentialSpec {
        if let known = parsed.spec(text, input: nil) { return known }
        let spec = try parse(text, hostAccountConfig: nil)
        parsed.store(spec, text: text, input: nil)
        return spec
    }

    /// `text` with its HostAccountConfig replaced by `host` (nil: removed).
    private static func parse(_ text: String, hostAccountConfig host: JSONValue?) throws(CredentialSpecError) -> CredentialSpec {
        guard text.utf8.count <= CredentialSpec.maximumByteCount else { throw .tooLarge(limit: CredentialSpec.maximumByteCount) }
        let json: JSONValue
        // As CredentialSpec(jsonData:) reads it: its own reader refuses a known property given twice.
        do { json = try JSONValue(parsing: text.utf8, repeatedKeys: .kept) } catch { throw CredentialSpecError(error) }
        guard case var .object(document) = json else {
            throw .wrongType(field: "", expected: [.object], found: json.kind)
        }
        // Property names are matched case-insensitively, as the parser does.
        if let index = document.members.firstIndex(where: { $0.key.lowercased() == "activedirectoryconfig" }),
            case var .object(directory) = document.members[index].value
        {
            directory.members.removeAll { $0.key.lowercased() == "hostaccountconfig" }
            if let host { directory.members.append((key: "HostAccountConfig", value: host)) }
            document.members[index].value = .object(directory)
        }
        return try CredentialSpec(json: .object(document))
    }
}

/// A few parsed CredSpecs, the oldest dropped first. Only valid ones are kept: a CredSpec that
/// fails is parsed (and refused) anew each time, with its own error.
final class ParsedCredentialSpecs: Sendable {
    static let capacity = 32
    private let entries = Mutex<[(text: String, input: String?, spec: CredentialSpec)]>([])

    func spec(_ text: String, input: String?) -> CredentialSpec? {
        entries.withLock { $0.first { $0.input == input && $0.text == text }?.spec }
    }

    func store(_ spec: CredentialSpec, text: String, input: String?) {
        entries.withLock { entries in
            if entries.count == Self.capacity { entries.removeFirst() }
            entries.append((text, input, spec))
        }
    }
}
