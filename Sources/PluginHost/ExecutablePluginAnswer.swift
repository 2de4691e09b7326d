import CCGPlugin
import FoundationEssentials
import SecretMemory
import Glibc
import SystemBasics

/// What a plug-in program printed: credentials, or the error it reports.
enum ExecutablePluginAnswer {
    case credential(DomainCredential)
    case failure(PluginError)

    /// Reads stdout in place. The password goes from there into wiped storage and `Password`, never
    /// into a `String`; a problem says where the JSON broke, never what it held.
    init(parsing output: UnsafeRawBufferPointer, path: String) throws(ExecutablePluginError) {
        let members: [(key: String, value: SecretJSONNode)]
        do throws(SecretJSONReader.Problem) {
            var reader = SecretJSONReader(output)
            guard case let .object(object) = try reader.document() else {
                throw SecretJSONReader.Problem(text: "it is another JSON value")
            }
            members = object
        } catch {
            throw .notJSON(path: path, problem: error.text)
        }
        if let reported = SecretJSONNode.member("error", of: members), !reported.isNull {
            self = .failure(Self.pluginError(reported, path: path))
            return
        }
        func text(_ field: String) throws(ExecutablePluginError) -> SecretBuffer {
            guard case let .string(value)? = SecretJSONNode.member(field, of: members), value.count > 0 else {
                throw .missingField(path: path, field: field)
            }
            return value
        }
        let domainName = try text("domainName").withBytes { String(decoding: $0, as: UTF8.self) }
        let username = try text("username").withBytes { String(decoding: $0, as: UTF8.self) }
        let password = Password(SecretBytes(copying: try text("password")))
        // "source": where the program found them (optional; shown by ccgctl plugin test).
        let source = SecretJSONNode.member("source", of: members)?.text.map { ProgramText.printable(Array($0.utf8), limit: 512) }
        self = .credential(DomainCredential(domainName: domainName, username: username, password: password, source: source))
    }

    /// `{"error": {"code": "not_found", "message": "…"}}`; a bare string is taken as the message.
    private static func pluginError(_ reported: SecretJSONNode, path: String) -> PluginError {
        var codeText: String?, message: String?
        switch reported {
        case let .object(members):
            if case let .string(value)? = SecretJSONNode.member("code", of: members) { codeText = value.withBytes { String(decoding: $0, as: UTF8.self) } }
            if case let .string(value)? = SecretJSONNode.member("message", of: members) { message = value.withBytes { ProgramText.printable($0) } }
        case let .string(value):
            message = value.withBytes { ProgramText.printable($0) }
        default:
            break
        }
        let code = codeText.flatMap(PluginError.Code.init(rawValue:)) ?? .failed
        let unknownCode = codeText.flatMap { PluginError.Code(rawValue: $0) == nil ? ProgramText.printable(Array($0.utf8), limit: 64) : nil }
        let note = unknownCode.map { " (unknown code \"\($0)\")" } ?? ""
        guard let message, !message.isEmpty else {
            return PluginError(code, "executable plug-in \(path) reported an error without a message\(note); run it by hand to see why.")
        }
        return PluginError(code, "executable plug-in \(path): \(message)\(note)")
    }
}

/// Text a program wrote (its stderr, its error message) made fit for one line of a log.
enum ProgramText {
    /// Trimmed, at most `limit` characters, control characters escaped as in JSON. With
    /// `cutAtStart`, the bytes are the end of a longer text and a leading `…` says so.
    static func printable(_ bytes: some Collection<UInt8>, limit: Int = 1024, cutAtStart: Bool = false) -> String {
        var bytes = bytes[...]
        if cutAtStart { bytes = bytes.drop(while: { $0 & 0xC0 == 0x80 }) } // a character cut in half
        var result = ""
        for scalar in String(decoding: bytes, as: UTF8.self).trimmedOfWhitespace.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.properties.generalCategory == .control || scalar.properties.isBidiControl:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        if result.count > limit { result = String(result.prefix(limit)) + "…" }
        return cutAtStart && !result.isEmpty ? "…" + result : result
    }
}
