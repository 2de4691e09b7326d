import CredSpec
import JSON
import KerberosKeys

/// Who vouches for a cached account: the plug-in and the input it was fetched through, or the
/// host's computer account. Keys cached through one are never served to a CredSpec naming
/// another, so a caller cannot skip its plug-in by naming an account someone else's CredSpec
/// already fetched.
package struct AccountAuthority: Hashable, Sendable {
    /// The normalised PluginGUID and the hex SHA-256 of the canonical PluginInput (the input
    /// itself, for the inline plug-in a password, is never kept), or `machine/` and the
    /// computer account's principal and keytab.
    let fingerprint: String
    /// What may be shown of it: the plug-in's GUID, or the computer account's principal.
    let plugin: PluginGUID?
    let machine: String?

    /// `machine`: the computer account that reads `spec` (`AccountSource.machineAccount(for:)`), nil for a plug-in's user.
    init(_ spec: CredentialSpec, machine: String?) {
        if let host = spec.hostAccountConfig, machine == nil {
            self.init(plugin: host)
        } else {
            // "PRINCIPAL KEYTAB": the principal is what an operator knows the account by.
            self.init(
                fingerprint: "machine/" + (machine ?? ""), plugin: nil,
                machine: (machine ?? "").split(separator: " ").first.map(String.init) ?? "the host's computer account")
        }
    }

    private init(fingerprint: String, plugin: PluginGUID?, machine: String?) {
        self.fingerprint = fingerprint
        self.plugin = plugin
        self.machine = machine
    }

    /// The reader as `GET /v1/accounts` shows it, with the plug-in's name from `name`.
    func reader(naming name: (PluginGUID) -> String?) -> AccountReader {
        if let plugin { return .plugin(guid: plugin.description, name: name(plugin)) }
        return .machine(principal: machine ?? "")
    }

    /// The authority of the portable user `host`'s plug-in gives (the same for every CredSpec naming it).
    package init(plugin host: HostAccountConfig) {
        var canonical: [UInt8] = []
        Self.append(host.pluginInput.jsonValue, to: &canonical)
        let digest: String
        if let bytes = try? SHA256Digest.of(canonical) {
            let hex = Array("0123456789abcdef".utf8)
            digest = String(decoding: bytes.flatMap { [hex[Int($0 >> 4)], hex[Int($0 & 0x0F)]] }, as: UTF8.self)
        } else {
            // Without OpenSSL's SHA-256: the process's randomly seeded hash, still never the input.
            var hasher = Hasher()
            hasher.combine(canonical)
            digest = "siphash-\(hasher.finalize())"
        }
        for index in canonical.indices { canonical[index] = 0 }
        fingerprint = host.pluginGUID.normalized + "/" + digest
        plugin = host.pluginGUID
        machine = nil
    }

    /// An unambiguous encoding of a JSON value: object members sorted, every string length-prefixed.
    private static func append(_ value: JSONValue, to bytes: inout [UInt8]) {
        func text(_ tag: String, _ string: String) {
            bytes += Array("\(tag)\(string.utf8.count):".utf8) + Array(string.utf8)
        }
        switch value {
        case .null: bytes += Array("n".utf8)
        case let .bool(flag): bytes += Array((flag ? "t" : "f").utf8)
        case let .number(number): text("#", number)
        case let .string(string): text("s", string)
        case let .array(items):
            bytes += Array("[\(items.count):".utf8)
            for item in items { append(item, to: &bytes) }
        case let .object(object):
            let members = object.members.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            bytes += Array("{\(members.count):".utf8)
            for member in members {
                text("k", member.key)
                append(member.value, to: &bytes)
            }
        }
    }
}
