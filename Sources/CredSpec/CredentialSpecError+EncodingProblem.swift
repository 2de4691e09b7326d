extension CredentialSpecError {
    /// What is wrong with the bytes of a CredSpec as text; byte offsets count from 0, BOM included.
    package enum EncodingProblem: Sendable, Equatable, CustomStringConvertible {
        /// No byte order mark, and the bytes are not UTF-8.
        case invalidUTF8(byteOffset: Int)
        /// A UTF-16 surrogate without its other half.
        case invalidUTF16(byteOffset: Int)
        /// A UTF-16 byte order mark, then an odd number of bytes in all (a truncated file).
        case oddUTF16ByteCount(Int)
        /// Zero bytes where UTF-8 JSON has none: UTF-16 saved without a byte order mark.
        case utf16WithoutByteOrderMark
        /// A UTF-32 byte order mark.
        case utf32

        /// The problem as the end of "The CredSpec …".
        package var description: String {
            switch self {
            case .invalidUTF8(let offset): "is not valid UTF-8 at byte offset \(offset)"
            case .invalidUTF16(let offset): "is not valid UTF-16 at byte offset \(offset) (half a surrogate pair)"
            case .oddUTF16ByteCount(let count): "is UTF-16 but has an odd number of bytes (\(count)), so it is cut short"
            case .utf16WithoutByteOrderMark: "looks like UTF-16 without a byte order mark"
            case .utf32: "is UTF-32"
            }
        }
    }
}
