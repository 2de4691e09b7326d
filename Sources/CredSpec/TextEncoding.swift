/// The encodings a CredSpec arrives in: UTF-8 (Docker, Linux editors, with or without a BOM) and
/// UTF-16 with a BOM (Windows PowerShell's `Out-File` and `>` write UTF-16LE).
enum TextEncoding: Equatable {
    case utf8
    case utf16LittleEndian
    case utf16BigEndian

    /// Detects the encoding by its byte order mark and returns the text as UTF-8 bytes (UTF-8 as it came).
    static func utf8Bytes(of bytes: [UInt8]) throws(CredentialSpecError) -> [UInt8] {
        let (encoding, markLength) = try detect(bytes)
        switch encoding {
        case .utf8:
            // As they are: the JSON reader skips the byte order mark and checks the UTF-8 (JSONError.invalidUTF8).
            return bytes
        case .utf16LittleEndian, .utf16BigEndian:
            return try transcodeUTF16(bytes, from: markLength, bigEndian: encoding == .utf16BigEndian)
        }
    }

    private static func detect(_ bytes: [UInt8]) throws(CredentialSpecError) -> (TextEncoding, markLength: Int) {
        if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) || bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) {
            throw .wrongEncoding(.utf32)
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return (.utf8, 3) }
        if bytes.starts(with: [0xFF, 0xFE]) { return (.utf16LittleEndian, 2) }
        if bytes.starts(with: [0xFE, 0xFF]) { return (.utf16BigEndian, 2) }
        // JSON text starts with ASCII, so a zero among the first two bytes means UTF-16 (or worse).
        if bytes.prefix(2).contains(0) { throw .wrongEncoding(.utf16WithoutByteOrderMark) }
        return (.utf8, 0)
    }

    private static func transcodeUTF16(
        _ bytes: [UInt8], from start: Int, bigEndian: Bool
    ) throws(CredentialSpecError) -> [UInt8] {
        guard bytes.count % 2 == 0 else { throw .wrongEncoding(.oddUTF16ByteCount(bytes.count)) }
        func unit(at offset: Int) -> UInt16 {
            let (high, low) = bigEndian ? (bytes[offset], bytes[offset + 1]) : (bytes[offset + 1], bytes[offset])
            return UInt16(high) << 8 | UInt16(low)
        }
        var output: [UInt8] = []
        output.reserveCapacity(bytes.count)
        var offset = start
        while offset < bytes.count {
            let first = unit(at: offset)
            var value = UInt32(first)
            var width = 2
            if UTF16.isLeadSurrogate(first) {
                guard offset + 2 < bytes.count, case let second = unit(at: offset + 2), UTF16.isTrailSurrogate(second)
                else { throw .wrongEncoding(.invalidUTF16(byteOffset: offset)) }
                value = 0x10000 + (UInt32(first - 0xD800) << 10 | UInt32(second - 0xDC00))
                width = 4
            } else if UTF16.isTrailSurrogate(first) {
                throw .wrongEncoding(.invalidUTF16(byteOffset: offset))
            }
            guard let scalar = Unicode.Scalar(value) else { throw .wrongEncoding(.invalidUTF16(byteOffset: offset)) }
            UTF8.encode(scalar) { output.append($0) }
            offset += width
        }
        return output
    }
}
