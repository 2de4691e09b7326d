/// A gMSA password: UTF-16LE bytes exactly as the DC sent them, without the terminating NUL.
package struct ManagedPassword: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    package let utf16LittleEndian: SecretBytes

    package init(utf16LittleEndian: SecretBytes) {
        self.utf16LittleEndian = utf16LittleEndian
    }

    /// UTF-8 as Windows' Kerberos uses for AES string-to-key: each unpaired surrogate becomes U+FFFD
    /// (EF BF BD). A stray odd final byte, which a DC never sends, also becomes U+FFFD.
    package func kerberosUTF8() -> SecretBytes {
        utf16LittleEndian.withUnsafeBytes { source in
            var length = 0
            KerberosUTF8.forEachScalar(inUTF16LittleEndian: source) { length += UTF8.width($0) }
            // Two passes so the UTF-8 goes straight into wiped storage, never through a String.
            return SecretBytes(count: length) { destination in
                var index = 0
                KerberosUTF8.forEachScalar(inUTF16LittleEndian: source) { scalar in
                    UTF8.encode(scalar) { byte in
                        destination[index] = byte
                        index += 1
                    }
                }
            }
        }
    }

    package var description: String { "<redacted password, \(utf16LittleEndian.count) bytes>" }

    package var debugDescription: String { "ManagedPassword(<redacted \(utf16LittleEndian.count) bytes>)" }

    package var customMirror: Mirror { Mirror(self, children: [:], displayStyle: .struct) }
}
