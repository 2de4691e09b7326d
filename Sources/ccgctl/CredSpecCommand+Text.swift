import CredSpec
import Directory
import OperatorTools

/// What the credspec commands print: facts and names, never a secret.
enum CredSpecText {
    /// What `credspec new` made, and where from.
    static func report(_ made: CredentialSpecAuthor.Result, writtenTo path: String?) -> String {
        let spec = made.spec, facts = made.facts
        var lines: [String] = []
        if let path {
            lines.append("wrote       \(path) (mode 0\(String(CredentialSpecFile.mode(of: spec), radix: 8)))")
        }
        let names = spec.accounts
        lines.append("accounts    " + ([names[0] + " (primary)"] + names.dropFirst()).joined(separator: ", "))
        lines.append("domain      \(facts.dnsName) (NetBIOS \(facts.netBiosName), forest \(facts.forestDNSName))")
        lines.append("sid         \(facts.sid)")
        lines.append("guid        \(facts.guid)")
        lines.append("plug-in     \(plugin(spec))")
        lines.append("input       \(spec.holdsSecret ? "not shown (it holds a password)" : spec.hostAccountConfig?.pluginInput.text ?? "-")")
        let skipped =
            made.unreachableControllers.isEmpty
            ? ""
            : " (unreachable: \(made.unreachableControllers.map(\.description).joined(separator: ", ")))"
        lines.append("read from   \(made.controller) as \(made.reader) (\(made.protection))\(skipped)")
        return lines.joined(separator: "\n") + "\n"
    }

    /// The plug-in's GUID, with the name of a built-in one.
    static func plugin(_ spec: CredentialSpec) -> String {
        guard let guid = spec.hostAccountConfig?.pluginGUID else { return "none (domain joined: read with the host's computer account)" }
        switch guid {
        case NewCredentialSpec.defaultPluginGUID: return "\(guid) (file)"
        case NewCredentialSpec.inlinePluginGUID: return "\(guid) (inline)"
        default: return guid.description
        }
    }
}
