/// Why an `msDS-ManagedPassword` value is not a well-formed MSDS-MANAGEDPASSWORD_BLOB.
package enum ManagedPasswordBlobError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A field the header points at, named as MS-ADTS 2.2.19 names its offset.
    package enum Field: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        case currentPassword = "CurrentPassword"
        case previousPassword = "PreviousPassword"
        case queryPasswordInterval = "QueryPasswordInterval"
        case unchangedPasswordInterval = "UnchangedPasswordInterval"

        package var description: String { rawValue }

        var isPassword: Bool { self == .currentPassword || self == .previousPassword }
    }

    /// Fewer bytes than the 16-byte header.
    case tooShortForHeader(byteCount: Int)
    /// Version is not 1, the only one MS-ADTS defines.
    case unsupportedVersion(UInt16)
    /// The header's Length is larger than the data received.
    case truncated(declaredLength: Int, byteCount: Int)
    /// More data than the header's Length; AD sends exact blobs, so the extra bytes mean corruption.
    case trailingBytes(declaredLength: Int, byteCount: Int)
    /// CurrentPasswordOffset is 0.
    case missingCurrentPassword
    /// An offset points into the 16-byte header.
    case offsetInsideHeader(Field, offset: Int)
    /// An offset points at or past the end of the blob.
    case offsetPastEnd(Field, offset: Int, byteCount: Int)
    /// An 8-byte interval starts inside the blob but runs past its end.
    case intervalPastEnd(Field, offset: Int, byteCount: Int)
    /// Two fields start at the same offset, or an 8-byte interval runs into the next field.
    case fieldsOverlap(first: Field, firstOffset: Int, second: Field, secondOffset: Int)
    /// A password's region (up to the next field or the end) has an odd length, so it is not UTF-16.
    case oddPasswordLength(Field, offset: Int, regionLength: Int)
    /// No UTF-16 NUL ends the password before the next field (`regionEnd`) or the end of the blob.
    case missingTerminator(Field, offset: Int, regionEnd: Int)
    /// The password is empty: its first UTF-16 unit is the NUL terminator.
    case emptyPassword(Field, offset: Int)
    /// An interval is negative.
    case negativeInterval(Field, hundredNanoseconds: Int64)

    package var description: String {
        let advice = "read msDS-ManagedPassword again, and if this persists the DC sent a corrupt value or this is not a gMSA password blob"
        switch self {
        case .tooShortForHeader(let byteCount):
            return "The managed password blob is \(byteCount) bytes, shorter than its 16-byte header: \(advice)."
        case .unsupportedVersion(let version):
            return
                "The managed password blob has version \(version), but only version 1 (MS-ADTS 2.2.19) is understood: check that the value comes from msDS-ManagedPassword."
        case .truncated(let declared, let byteCount):
            return "The managed password blob is truncated: its header says \(declared) bytes but only \(byteCount) arrived; \(advice)."
        case .trailingBytes(let declared, let byteCount):
            return "The managed password blob has \(byteCount - declared) bytes after the \(declared) its header declares (\(byteCount) in all); \(advice)."
        case .missingCurrentPassword:
            return "The managed password blob has no current password (CurrentPasswordOffset is 0); \(advice)."
        case .offsetInsideHeader(let field, let offset):
            return "The managed password blob's \(field)Offset \(offset) points inside its 16-byte header; \(advice)."
        case .offsetPastEnd(let field, let offset, let byteCount):
            return "The managed password blob's \(field)Offset \(offset) points past its end at \(byteCount) bytes; \(advice)."
        case .intervalPastEnd(let field, let offset, let byteCount):
            return "The managed password blob's 8-byte \(field) at offset \(offset) runs past its end at \(byteCount) bytes; \(advice)."
        case .fieldsOverlap(let first, let firstOffset, let second, let secondOffset):
            return "The managed password blob's \(first) at offset \(firstOffset) overlaps its \(second) at offset \(secondOffset); \(advice)."
        case .oddPasswordLength(let field, let offset, let regionLength):
            return "The managed password blob's \(field) at offset \(offset) spans an odd \(regionLength) bytes, so it is not UTF-16; \(advice)."
        case .missingTerminator(let field, let offset, let regionEnd):
            return
                "The managed password blob's \(field) at offset \(offset) has no UTF-16 NUL terminator before offset \(regionEnd), where the next field or the blob ends; \(advice)."
        case .emptyPassword(let field, let offset):
            return "The managed password blob's \(field) at offset \(offset) is empty; \(advice)."
        case .negativeInterval(let field, let value):
            return "The managed password blob's \(field) is negative (\(value) × 100 ns); \(advice)."
        }
    }
}
