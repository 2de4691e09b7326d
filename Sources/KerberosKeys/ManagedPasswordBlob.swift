/// MS-ADTS 2.2.19 MSDS-MANAGEDPASSWORD_BLOB: the value of a gMSA's `msDS-ManagedPassword`.
///
/// Layout, little endian: u16 Version, u16 Reserved, u32 Length, then u16 offsets of the current
/// password, the previous password (0 = none), QueryPasswordInterval and UnchangedPasswordInterval.
/// Passwords are NUL-terminated UTF-16LE; intervals are i64 counts of 100 ns. A field's region runs
/// to the next field's offset (or the end); alignment is not required, as Windows does not align.
package struct ManagedPasswordBlob: Sendable, CustomStringConvertible {
    package typealias Field = ManagedPasswordBlobError.Field

    package let version: UInt16
    package let currentPassword: ManagedPassword
    package let previousPassword: ManagedPassword?
    /// Time until the password must be read again.
    package let queryPasswordInterval: Duration
    /// Time during which the password surely does not change.
    package let unchangedPasswordInterval: Duration

    static let headerSize = 16
    static let intervalSize = 8

    package init(decoding bytes: [UInt8]) throws(ManagedPasswordBlobError) {
        self = try bytes.withUnsafeBytes { raw in
            Result { () throws(ManagedPasswordBlobError) in try Self(reader: BlobReader(bytes: raw)) }
        }.get()
    }

    /// Decodes a blob already held in wiped storage, so the passwords never sit in a plain array.
    package init(decoding blob: SecretBytes) throws(ManagedPasswordBlobError) {
        self = try blob.withUnsafeBytes { raw in
            Result { () throws(ManagedPasswordBlobError) in try Self(reader: BlobReader(bytes: raw)) }
        }.get()
    }

    private init(reader: BlobReader) throws(ManagedPasswordBlobError) {
        guard reader.count >= Self.headerSize,
            let version = reader.uint16(at: 0),
            let declaredLength = reader.uint32(at: 4),
            let currentOffset = reader.uint16(at: 8),
            let previousOffset = reader.uint16(at: 10),
            let queryOffset = reader.uint16(at: 12),
            let unchangedOffset = reader.uint16(at: 14)
        else { throw .tooShortForHeader(byteCount: reader.count) }

        guard version == 1 else { throw .unsupportedVersion(version) }
        let length = Int(declaredLength)
        guard length <= reader.count else { throw .truncated(declaredLength: length, byteCount: reader.count) }
        guard length == reader.count else { throw .trailingBytes(declaredLength: length, byteCount: reader.count) }
        guard currentOffset != 0 else { throw .missingCurrentPassword }

        var fields: [(field: Field, offset: Int)] = [(.currentPassword, Int(currentOffset))]
        if previousOffset != 0 { fields.append((.previousPassword, Int(previousOffset))) }
        fields.append((.queryPasswordInterval, Int(queryOffset)))
        fields.append((.unchangedPasswordInterval, Int(unchangedOffset)))

        for (field, offset) in fields {
            guard offset >= Self.headerSize else { throw .offsetInsideHeader(field, offset: offset) }
            guard offset < reader.count else { throw .offsetPastEnd(field, offset: offset, byteCount: reader.count) }
            if !field.isPassword, !reader.contains(offset, width: Self.intervalSize) {
                throw .intervalPastEnd(field, offset: offset, byteCount: reader.count)
            }
        }

        // In offset order, each field's region ends where the next one starts.
        let fieldOrder = Field.allCases
        let ordered = fields.sorted {
            ($0.offset, fieldOrder.firstIndex(of: $0.field) ?? 0) < ($1.offset, fieldOrder.firstIndex(of: $1.field) ?? 0)
        }
        // Layout first, contents second, so an overlap is reported as such and not as a symptom.
        for (entry, next) in zip(ordered, ordered.dropFirst()) {
            let minimumSize = entry.field.isPassword ? 1 : Self.intervalSize
            if next.offset < entry.offset + minimumSize {
                throw .fieldsOverlap(first: entry.field, firstOffset: entry.offset, second: next.field, secondOffset: next.offset)
            }
        }
        var passwords: [Field: ManagedPassword] = [:]
        var intervals: [Field: Duration] = [:]
        for (position, entry) in ordered.enumerated() {
            let regionEnd = position + 1 < ordered.count ? ordered[position + 1].offset : reader.count
            if entry.field.isPassword {
                passwords[entry.field] = try Self.password(entry.field, at: entry.offset, regionEnd: regionEnd, in: reader)
            } else {
                guard let value = reader.int64(at: entry.offset) else {
                    throw .intervalPastEnd(entry.field, offset: entry.offset, byteCount: reader.count)
                }
                guard value >= 0 else { throw .negativeInterval(entry.field, hundredNanoseconds: value) }
                intervals[entry.field] = Self.duration(hundredNanoseconds: value)
            }
        }

        guard let current = passwords[.currentPassword],
            let query = intervals[.queryPasswordInterval],
            let unchanged = intervals[.unchangedPasswordInterval]
        else { throw .missingCurrentPassword } // unreachable: every listed field was decoded above
        self.version = version
        self.currentPassword = current
        self.previousPassword = passwords[.previousPassword]
        self.queryPasswordInterval = query
        self.unchangedPasswordInterval = unchanged
    }

    private static func password(
        _ field: Field,
        at offset: Int,
        regionEnd: Int,
        in reader: BlobReader
    ) throws(ManagedPasswordBlobError) -> ManagedPassword {
        let regionLength = regionEnd - offset
        guard regionLength % 2 == 0 else {
            throw .oddPasswordLength(field, offset: offset, regionLength: regionLength)
        }
        var terminator: Int?
        var position = offset
        while position < regionEnd, let unit = reader.uint16(at: position) {
            if unit == 0 {
                terminator = position
                break
            }
            position += 2
        }
        guard let terminator else { throw .missingTerminator(field, offset: offset, regionEnd: regionEnd) }
        guard terminator > offset, let bytes = reader.secret(offset..<terminator) else {
            throw .emptyPassword(field, offset: offset)
        }
        return ManagedPassword(utf16LittleEndian: bytes)
    }

    /// Exact conversion: 100 ns is 10^11 attoseconds, so nothing is rounded.
    static func duration(hundredNanoseconds value: Int64) -> Duration {
        Duration(
            secondsComponent: value / 10_000_000,
            attosecondsComponent: (value % 10_000_000) * 100_000_000_000
        )
    }

    package var description: String {
        let previous = previousPassword.map { "\($0)" } ?? "none"
        return "ManagedPasswordBlob(version \(version), current \(currentPassword), previous \(previous), "
            + "query interval \(queryPasswordInterval), unchanged interval \(unchangedPasswordInterval))"
    }
}
