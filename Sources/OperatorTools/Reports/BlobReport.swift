import Foundation
import KerberosKeys

/// `ccgctl blob decode`: the fields of an MSDS-MANAGEDPASSWORD_BLOB and fingerprints of its
/// keys, for comparing with what a DC or another tool derived. Never the password itself.
package struct BlobReport: Sendable {
    package let byteCount: Int
    package let blob: ManagedPasswordBlob
    package let salt: Salt?
    package let current: [KerberosKey]
    package let previous: [KerberosKey]

    /// Decodes `input`: the raw blob, its base64, or the LDIF line `ldapsearch` prints
    /// (`msDS-ManagedPassword:: …`, possibly folded).
    package static func blobBytes(from input: [UInt8]) -> [UInt8]? {
        if input.count >= 2, input[0] == 1, input[1] == 0 { return input } // raw: version 1, little endian
        var text = String(decoding: input, as: UTF8.self)
        if let range = text.range(of: "msDS-ManagedPassword::", options: .caseInsensitive) {
            text = String(text[range.upperBound...])
            // LDIF folds long lines: a newline followed by one space continues the value.
            text = text.replacingOccurrences(of: "\n ", with: "")
            text = String(text.prefix { $0 != "\n" })
        }
        let base64 = text.filter { !$0.isWhitespace }
        return Data(base64Encoded: base64).map { Array($0) }
    }

    package init(blobBytes bytes: [UInt8], salt: Salt?) throws {
        byteCount = bytes.count
        blob = try ManagedPasswordBlob(decoding: bytes)
        self.salt = salt
        func keys(_ password: ManagedPassword) throws -> [KerberosKey] {
            if let salt { return try KeyDerivation.keys(for: password, salt: salt, encryptionTypes: EncryptionType.allCases) }
            return [try KeyDerivation.rc4Key(utf16LittleEndian: password.utf16LittleEndian)]
        }
        current = try keys(blob.currentPassword)
        previous = try blob.previousPassword.map(keys) ?? []
    }

    package func text() -> String {
        var lines = [
            "version                    \(blob.version)",
            "length                     \(byteCount) bytes",
            "current password           \(describe(blob.currentPassword))",
        ]
        lines += current.map { "  \($0.encryptionType.name.padding(toLength: 25, withPad: " ", startingAt: 0))sha256:\($0.fingerprint)" }
        if let previous = blob.previousPassword {
            lines.append("previous password          \(describe(previous))")
            lines += self.previous.map { "  \($0.encryptionType.name.padding(toLength: 25, withPad: " ", startingAt: 0))sha256:\($0.fingerprint)" }
        } else {
            lines.append("previous password          none")
        }
        lines.append("query password interval    \(format(blob.queryPasswordInterval))")
        lines.append("unchanged password interval \(format(blob.unchangedPasswordInterval))")
        lines.append(
            salt.map { "salt                       \($0.value)" }
                ?? "salt                       unknown: give --realm, --account and --dns-domain for AES key fingerprints")
        return lines.joined(separator: "\n")
    }

    private func describe(_ password: ManagedPassword) -> String {
        let units = password.utf16LittleEndian.count / 2
        return "\(units) UTF-16 code units, \(password.unpairedSurrogateCount) unpaired surrogates"
    }

    private func format(_ duration: Duration) -> String {
        let seconds = duration.components.seconds
        let days = seconds / 86_400, hours = seconds % 86_400 / 3600, minutes = seconds % 3600 / 60, rest = seconds % 60
        return "\(days)d \(hours)h \(minutes)m \(rest)s (\(seconds) s)"
    }
}

extension ManagedPassword {
    /// How many UTF-16 code units have no partner: each becomes U+FFFD for AES string-to-key.
    var unpairedSurrogateCount: Int {
        utf16LittleEndian.withUnsafeBytes { bytes in
            let units = stride(from: 0, to: bytes.count - 1, by: 2).map { UInt16(bytes[$0]) | UInt16(bytes[$0 + 1]) << 8 }
            var count = 0, index = 0
            while index < units.count {
                let unit = units[index]
                if (0xD800...0xDBFF).contains(unit), index + 1 < units.count, (0xDC00...0xDFFF).contains(units[index + 1]) {
                    index += 2
                    continue
                }
                if (0xD800...0xDFFF).contains(unit) { count += 1 }
                index += 1
            }
            return count
        }
    }
}
