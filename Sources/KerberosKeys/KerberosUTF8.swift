/// The UTF-16 → Unicode scalar walk Windows applies before AES string-to-key.
enum KerberosUTF8 {
    static let replacementCharacter = Unicode.Scalar(0xFFFD as UInt16)!

    /// Calls `body` for each scalar; an unpaired surrogate yields U+FFFD, a high+low pair one scalar.
    static func forEachScalar(
        inUTF16LittleEndian bytes: UnsafeRawBufferPointer,
        _ body: (Unicode.Scalar) -> Void
    ) {
        let unitCount = bytes.count / 2
        func unit(_ index: Int) -> UInt16 { UInt16(bytes[2 * index]) | UInt16(bytes[2 * index + 1]) << 8 }

        var index = 0
        while index < unitCount {
            let first = unit(index)
            index += 1
            switch first {
            case 0xD800...0xDBFF:
                if index < unitCount, case let second = unit(index), (0xDC00...0xDFFF).contains(second) {
                    index += 1
                    let value = 0x10000 + (UInt32(first - 0xD800) << 10) + UInt32(second - 0xDC00)
                    body(Unicode.Scalar(value) ?? replacementCharacter)
                } else {
                    body(replacementCharacter)
                }
            case 0xDC00...0xDFFF:
                body(replacementCharacter)
            default:
                body(Unicode.Scalar(first) ?? replacementCharacter)
            }
        }
        if bytes.count % 2 == 1 { body(replacementCharacter) }
    }
}
