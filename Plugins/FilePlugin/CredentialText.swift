import CCGPlugin
import SecretMemory

/// Parses the three formats a credentials file may hold, in place: the password goes from the
/// file's wiped buffer straight into `Password`, and a problem is described by the file's shape
/// (which line, which part is missing), never by its text.
enum CredentialText {
    private static let lineFormat = "write DOMAIN\\user:password or user@domain:password"
    private static let jsonFormat = "write {\"domainName\": …, \"username\": …, \"password\": …}"

    static func parse(_ contents: SecretBuffer, source: String) throws(PluginError) -> DomainCredential {
        try contents.withBytes { (bytes) throws(PluginError) in
            var text = bytes[...]
            if text.starts(with: [0xEF, 0xBB, 0xBF]) { text = text.dropFirst(3) }
            guard let first = text.first(where: { !isSpace($0) }) else {
                throw PluginError(
                    .malformedSecret, "file plug-in: \(source) is empty; write the credentials as JSON, DOMAIN\\user:password or user@domain:password.")
            }
            return first == UInt8(ascii: "{") ? try parseJSON(bytes, source: source) : try parseLine(text, source: source)
        }
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    private static func parseJSON(_ bytes: UnsafeRawBufferPointer, source: String) throws(PluginError) -> DomainCredential {
        let members: [(key: String, value: SecretJSONNode)]
        do throws(SecretJSONReader.Problem) {
            var reader = SecretJSONReader(bytes)
            guard case let .object(object) = try reader.document() else { throw SecretJSONReader.Problem(text: "it is another JSON value") }
            members = object
        } catch {
            throw PluginError(.malformedSecret, "file plug-in: \(source) starts with { but is not a JSON object (\(error.text)); \(jsonFormat).")
        }
        func field(_ name: String) throws(PluginError) -> SecretBuffer {
            guard case let .string(value)? = SecretJSONNode.member(name, of: members), value.count > 0 else {
                throw PluginError(.malformedSecret, "file plug-in: \(source) has no non-empty string \"\(name)\"; add it to the JSON object.")
            }
            return value
        }
        let domainName = try field("domainName").withBytes { String(decoding: $0, as: UTF8.self) }
        let username = try field("username").withBytes { String(decoding: $0, as: UTF8.self) }
        return DomainCredential(domainName: domainName, username: username, password: Password(SecretBytes(copying: try field("password"))))
    }

    /// `DOMAIN\user:password` or `user@domain:password` on line 1; one trailing newline is not part of the password.
    private static func parseLine(_ bytes: Slice<UnsafeRawBufferPointer>, source: String) throws(PluginError) -> DomainCredential {
        var line = bytes
        if line.last == 0x0A { line = line.dropLast() }
        if line.last == 0x0D { line = line.dropLast() }
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            throw PluginError(.malformedSecret, "file plug-in: \(source): line 1 has no \":\" between user and password; \(lineFormat).")
        }
        let identity = line[..<colon]
        let password = line[line.index(after: colon)...]
        guard !password.isEmpty else {
            throw PluginError(.malformedSecret, "file plug-in: \(source): line 1 has an empty password after the \":\"; \(lineFormat).")
        }
        let domain: Slice<UnsafeRawBufferPointer>, user: Slice<UnsafeRawBufferPointer>
        if let backslash = identity.firstIndex(of: UInt8(ascii: "\\")) {
            (domain, user) = (identity[..<backslash], identity[identity.index(after: backslash)...])
        } else if let at = identity.lastIndex(of: UInt8(ascii: "@")) {
            (user, domain) = (identity[..<at], identity[identity.index(after: at)...])
        } else {
            throw PluginError(.malformedSecret, "file plug-in: \(source): line 1 has no \\ or @ before the \":\", so it names no domain; \(lineFormat).")
        }
        guard !domain.isEmpty, !user.isEmpty, !user.contains(UInt8(ascii: "\\")), !user.contains(UInt8(ascii: "@")) else {
            throw PluginError(
                .malformedSecret,
                "file plug-in: \(source): line 1 has an empty domain or user, or a user with a second \\ or @, before the \":\"; \(lineFormat).")
        }
        let secret = SecretBytes(copying: UnsafeRawBufferPointer(rebasing: password))
        return DomainCredential(
            domainName: String(decoding: domain, as: UTF8.self), username: String(decoding: user, as: UTF8.self),
            password: Password(secret))
    }
}
