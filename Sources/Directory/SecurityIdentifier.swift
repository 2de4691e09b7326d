/// A Windows security identifier (MS-DTYP 2.4.2), decoded from its binary form for display.
package struct SecurityIdentifier: Sendable, Hashable, CustomStringConvertible {
    package let revision: UInt8
    package let authority: UInt64
    package let subAuthorities: [UInt32]

    /// Decodes the binary SID AD stores in `objectSid`; nil when malformed.
    package init?(binary bytes: [UInt8]) {
        guard bytes.count >= 8 else { return nil }
        let count = Int(bytes[1])
        guard bytes[0] == 1, count <= 15, bytes.count == 8 + 4 * count else { return nil }
        revision = bytes[0]
        authority = bytes[2..<8].reduce(0) { $0 << 8 | UInt64($1) } // big endian, unlike the rest
        subAuthorities = (0..<count).map { i in
            let at = 8 + 4 * i
            return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
    }

    /// `S-1-5-21-…`
    package var description: String {
        (["S", String(revision), String(authority)] + subAuthorities.map(String.init)).joined(separator: "-")
    }
}

/// Formats AD's 16-byte `objectGUID` (first three fields little endian) as a GUID string.
package func formatObjectGUID(_ bytes: [UInt8]) -> String? {
    guard bytes.count == 16 else { return nil }
    let order = [3, 2, 1, 0, -1, 5, 4, -1, 7, 6, -1, 8, 9, -1, 10, 11, 12, 13, 14, 15]
    let digits = Array("0123456789abcdef")
    var text = ""
    for index in order {
        if index < 0 { text.append("-"); continue }
        text.append(digits[Int(bytes[index] >> 4)])
        text.append(digits[Int(bytes[index] & 0xF)])
    }
    return text
}
