import CCGPlugin
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif

/// Parses the three formats a credentials file may hold.
enum CredentialText {
    static func parse(_ bytes: [UInt8], source: String) throws(PluginError) -> DomainCredential {
        var text = bytes
        if text.starts(with: [0xEF, 0xBB, 0xBF]) { text.removeFirst(3) }
        guard let first = text.first(where: { !isSpace($0) }) else {
            throw PluginError(.malformedSecret, "file plug-in: \(source) is empty; write the credentials as JSON, DOMAIN\\user:password or user@domain:password.")
        }
        return first == UInt8(ascii: "{") ? try parseJSON(text, source: source) : try parseLine(text, source: source)
    }

    private static func isSpace(_ byte: UInt8) -> Bool { byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D }

    private static func parseJSON(_ bytes: [UInt8], source: String) throws(PluginError) -> DomainCredential {
        let object: [String: Member]
        do {
            object = try JSONDecoder().decode([String: Member].self, from: Data(bytes))
        } catch {
            throw PluginError(.malformedSecret, "file plug-in: \(source) starts with { but is not a JSON object; write {\"domainName\": …, \"username\": …, \"password\": …}.")
        }
        func field(_ name: String) throws(PluginError) -> String {
            let key = object.keys.first { $0.lowercased() == name.lowercased() }
            guard let key, let value = object[key]?.string, !value.isEmpty else {
                throw PluginError(.malformedSecret, "file plug-in: \(source) has no non-empty string \"\(name)\"; add it to the JSON object.")
            }
            return value
        }
        return DomainCredential(domainName: try field("domainName"), username: try field("username"),
                                password: Password(try field("password")))
    }

    /// `DOMAIN\user:password` or `user@domain:password`; one trailing newline is not part of the password.
    private static func parseLine(_ bytes: [UInt8], source: String) throws(PluginError) -> DomainCredential {
        var line = bytes[...]
        if line.last == 0x0A { line = line.dropLast() }
        if line.last == 0x0D { line = line.dropLast() }
        let format = "write DOMAIN\\user:password or user@domain:password"
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")) else {
            throw PluginError(.malformedSecret, "file plug-in: \(source) has no \":\" between user and password; \(format).")
        }
        let identity = String(decoding: line[..<colon], as: UTF8.self)
        let password = line[line.index(after: colon)...]
        guard !password.isEmpty else {
            throw PluginError(.malformedSecret, "file plug-in: \(source) has an empty password; \(format).")
        }
        let domain: Substring, user: Substring
        if let backslash = identity.firstIndex(of: "\\") {
            (domain, user) = (identity[..<backslash], identity[identity.index(after: backslash)...])
        } else if let at = identity.lastIndex(of: "@") {
            (user, domain) = (identity[..<at], identity[identity.index(after: at)...])
        } else {
            throw PluginError(.malformedSecret, "file plug-in: \(source) names no domain for user \"\(identity)\"; \(format).")
        }
        guard !domain.isEmpty, !user.isEmpty, !user.contains("\\"), !user.contains("@") else {
            throw PluginError(.malformedSecret, "file plug-in: \(source) has an empty or malformed user or domain in \"\(identity)\"; \(format).")
        }
        return DomainCredential(domainName: String(domain), username: String(user), password: Password(utf8: password))
    }
}

/// A member of the JSON object: a string, or anything else (which no field accepts).
private struct Member: Decodable {
    let string: String?

    init(from decoder: Decoder) throws {
        string = try? decoder.singleValueContainer().decode(String.self)
    }
}
