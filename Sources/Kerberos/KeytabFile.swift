import KerberosKeys

/// A keytab file's bytes. MIT's FILE keytab (version 0x0502) is a 2-byte version followed by
/// length-prefixed entries, so the keytabs of several accounts combine by keeping one version
/// header: each account's keytab is made once by libkrb5 and reused by every lease.
package enum KeytabFile {
    static let version: [UInt8] = [0x05, 0x02]

    /// One keytab holding the entries of all `keytabs`, in order.
    package static func combining(_ keytabs: [SecretBytes]) throws(KeytabFileError) -> SecretBytes {
        var total = version.count
        for (index, keytab) in keytabs.enumerated() {
            let valid = keytab.withUnsafeBytes { $0.count >= 2 && $0[0] == version[0] && $0[1] == version[1] }
            guard valid else { throw KeytabFileError(index: index) }
            total += keytab.count - version.count
        }
        return SecretBytes(count: total) { (buffer: UnsafeMutableRawBufferPointer) in
            buffer[0] = version[0]
            buffer[1] = version[1]
            var offset = version.count
            for keytab in keytabs {
                keytab.withUnsafeBytes { bytes in
                    let entries = UnsafeRawBufferPointer(rebasing: bytes[version.count...])
                    UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<offset + entries.count]).copyMemory(from: entries)
                    offset += entries.count
                }
            }
        }
    }
}

/// A keytab that is not a version 0x0502 FILE keytab.
package struct KeytabFileError: Error, Sendable, CustomStringConvertible {
    package let index: Int
    package var description: String { "keytab \(index + 1) is not a version 5.2 keytab file; it cannot be combined." }
}
