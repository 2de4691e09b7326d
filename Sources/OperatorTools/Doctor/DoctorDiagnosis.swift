import CredSpec
import PluginHost
import SystemBasics

/// Turns the errors of each link into what an operator reads: the finding and the fix.
enum DoctorDiagnosis {
    /// Splits "what is wrong; what to do." (the project's one-sentence convention) in two: the
    /// finding as written (to follow other words), the fix as a sentence of its own.
    static func splitAdvice(_ message: String) -> (finding: String, fix: String?) {
        guard let separator = message.ranges(of: "; ").last else { return (stop(message), nil) }
        let advice = message[separator.upperBound...]
        return (stop(String(message[..<separator.lowerBound])), sentence(String(advice)))
    }

    /// `text` ending with a full stop.
    static func stop(_ text: String) -> String {
        let text = text.trimmedOfWhitespace
        return text.hasSuffix(".") ? text : text + "."
    }

    /// `text` as a sentence: capitalised, ending with a full stop.
    static func sentence(_ text: String) -> String {
        let text = stop(text)
        guard let first = text.first else { return text }
        return first.uppercased() + text.dropFirst()
    }

    /// The Windows documentation's own sample PluginGUID, which is not a GUID.
    static let documentationSampleGUID = "GDMA0342-266A-4D1P-831J-20990E82944F"

    static func credSpec(_ error: CredentialSpecError, source: String) -> DoctorFinding {
        let (finding, advice) = splitAdvice(error.message)
        let fix: String
        switch error {
        case .invalid where error.message.uppercased().contains(documentationSampleGUID):
            fix =
                "\(documentationSampleGUID) is the sample PluginGUID of Microsoft's documentation, not a GUID: put the GUID of the plug-in that holds the portable user's credentials (ccgctl plugin list shows them)."
        case .notJSON:
            fix = "Fix the JSON there (a missing comma, quote or brace is the usual cause)."
        case .unreadable:
            fix = "Check the path, or give the name of a CredSpec in the CredSpec directory."
        default:
            fix = advice ?? "Correct the CredSpec as said, or compare it with one New-CredentialSpec writes."
        }
        let field = error.field.map { "\($0): " } ?? ""
        return DoctorFinding("\(source): \(field)\(short(error))", finding: "\(source): \(sentence(finding))", fix: fix)
    }

    private static func short(_ error: CredentialSpecError) -> String {
        switch error {
        case .tooLarge: "too large"
        case .unreadable: "unreadable"
        case .wrongEncoding: "not UTF-8 or UTF-16 text"
        case let .notJSON(_, line, column): "not JSON at line \(line), column \(column)"
        case .missing: "missing"
        case .duplicate: "duplicate"
        case .wrongType: "wrong type"
        case .invalid: "invalid value"
        }
    }

    static func plugin(_ error: PluginHostError, configurationFile: String, registry: PluginRegistry) -> DoctorFinding {
        let configuration = configurationFile.isEmpty ? "ccgd's configuration" : configurationFile
        switch error {
        case .noPlugin:
            return DoctorFinding(
                "domain-joined CredSpec: no plug-in", finding: "\(error)",
                fix: "Add a HostAccountConfig to read it as a portable user, or check the host's machine keytab.")
        case let .unknown(guid, registered):
            return DoctorFinding(
                "PluginGUID \(guid): no plug-in registered",
                finding: "No plug-in is registered for the CredSpec's PluginGUID \(guid) (registered: \(registered.joined(separator: ", "))).",
                fix:
                    "Register the plug-in in \(configuration) ([plugin \"\(guid)\"] with its path), or set the CredSpec's PluginGUID to a registered one (ccgctl plugin list)."
            )
        case let .disabled(guid, reason):
            let (finding, fix) = splitAdvice(reason)
            return DoctorFinding(
                "PluginGUID \(guid): plug-in turned off", finding: "PluginGUID \(guid): \(finding)",
                fix: fix ?? "Use another plug-in.")
        case let .failed(guid, plugin, reason):
            let (finding, fix) = splitAdvice(reason)
            return DoctorFinding(
                "plug-in \(plugin) failed: \(finding.dropLast())", finding: "Plug-in \(plugin) (\(guid)) failed: \(finding)",
                fix: fix
                    ?? "Check the secret store the plug-in reads, then test the plug-in alone: ccgctl plugin test --guid \(guid) --input '<the CredSpec's PluginInput>'."
            )
        case let .timedOut(guid, plugin, seconds):
            let shown = seconds == seconds.rounded() ? String(Int(seconds)) : String(seconds)
            return DoctorFinding(
                "plug-in \(plugin) timed out after \(shown) s",
                finding: "Plug-in \(plugin) (\(guid)) did not answer within \(shown) s.",
                fix: "Check that the secret store it reads answers from this host, or raise its timeout ([plugin \"\(guid)\"] timeout in \(configuration)).")
        }
    }
}
