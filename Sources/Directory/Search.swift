internal import CLDAP
import KerberosKeys
import Glibc

/// How deep a search goes.
package enum SearchScope: Sendable {
    case base, oneLevel, subtree

    var raw: Int32 {
        switch self {
        case .base: LDAP_SCOPE_BASE
        case .oneLevel: LDAP_SCOPE_ONELEVEL
        case .subtree: LDAP_SCOPE_SUBTREE
        }
    }
}

extension DirectoryConnection {
    /// Searches and returns the entries (search references are skipped: we never chase referrals).
    /// Values of `secretAttributes` go straight into `SecretBytes`.
    package func search(
        base: String, scope: SearchScope, filter: String, attributes: [String],
        secretAttributes: Set<String> = [], sizeLimit: Int32 = 10
    ) throws(DirectoryError) -> [DirectoryEntry] {
        let secretNames = Set(secretAttributes.map { $0.lowercased() })
        var names = (attributes + secretAttributes).map { strdup($0) }
        names.append(nil)
        defer { names.forEach { free($0) } }
        var result: OpaquePointer?
        // No timeout here: libldap would also send it as the search's server-side time limit (a
        // DC just back from a pause answers "time limit exceeded"); the wait is LDAP_OPT_TIMEOUT's,
        // the connection's timeout, after which the DC counts as unreachable.
        let status = BrokenPipe.ignored { ldap_search_ext_s(raw, base, scope.raw, filter, &names, 0, nil, nil, nil, sizeLimit, &result) }
        defer { if let result { ldap_msgfree(result) } }
        guard status == LDAP_SUCCESS || status == LDAP_SIZELIMIT_EXCEEDED else {
            let reason = diagnostic(status)
            if status == LDAP_STRONG_AUTH_REQUIRED || status == LDAP_CONFIDENTIALITY_REQUIRED
                || reason.contains("0000202D") || reason.lowercased().contains("encrypted connection")
            {
                throw .confidentialityRequired(controller: controller.description, reason: reason)
            }
            if status == LDAP_SERVER_DOWN || status == LDAP_TIMEOUT {
                throw .unreachable(controller: controller.description, reason: reason)
            }
            throw .operationFailed(
                operation: "search \(base) for \(filter)", controller: controller.description,
                resultCode: status, reason: reason)
        }
        var entries: [DirectoryEntry] = []
        var message = ldap_first_entry(raw, result)
        while let entry = message {
            entries.append(read(entry, secretNames: secretNames))
            message = ldap_next_entry(raw, entry)
        }
        return entries
    }

    private func read(_ entry: OpaquePointer, secretNames: Set<String>) -> DirectoryEntry {
        var distinguishedName = ""
        if let dn = ldap_get_dn(raw, entry) {
            distinguishedName = String(cString: dn)
            ldap_memfree(dn)
        }
        var values: [String: [[UInt8]]] = [:]
        var secrets: [String: SecretBytes] = [:]
        var position: OpaquePointer?
        var attribute = ldap_first_attribute(raw, entry, &position)
        while let name = attribute {
            let key = String(cString: name).lowercased()
            if let list = ldap_get_values_len(raw, entry, name) {
                var index = 0
                while let value = list[index] {
                    let bytes = UnsafeRawBufferPointer(start: value.pointee.bv_val, count: Int(value.pointee.bv_len))
                    if secretNames.contains(key) {
                        secrets[key] = SecretBytes(copying: bytes)
                    } else {
                        values[key, default: []].append(Array(bytes))
                    }
                    index += 1
                }
                ldap_value_free_len(list)
            }
            ldap_memfree(name)
            attribute = ldap_next_attribute(raw, entry, position)
        }
        if let position { ber_free(position, 0) }
        return DirectoryEntry(distinguishedName: distinguishedName, values: values, secrets: secrets)
    }
}

/// RFC 4515 escaping of a value placed in a search filter.
package func ldapFilterEscape(_ value: String) -> String {
    var escaped: [UInt8] = []
    for byte in value.utf8 {
        switch byte {
        case UInt8(ascii: "*"), UInt8(ascii: "("), UInt8(ascii: ")"), UInt8(ascii: "\\"), 0:
            escaped += Array("\\\(hex(byte))".utf8)
        default:
            escaped.append(byte)
        }
    }
    return String(decoding: escaped, as: UTF8.self)
}

private func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef".utf8)
    return String(decoding: [digits[Int(byte >> 4)], digits[Int(byte & 0xF)]], as: UTF8.self)
}
