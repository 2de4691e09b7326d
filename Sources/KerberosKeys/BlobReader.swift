/// Bounds-checked little-endian reads over an untrusted blob: a read past either end yields nil,
/// never a trap or an over-read.
struct BlobReader {
    let bytes: UnsafeRawBufferPointer

    var count: Int { bytes.count }

    func uint16(at offset: Int) -> UInt16? {
        guard contains(offset, width: 2) else { return nil }
        return UInt16(bytes[offset]) | UInt16(bytes[offset + 1]) << 8
    }

    func uint32(at offset: Int) -> UInt32? {
        guard contains(offset, width: 4) else { return nil }
        return (0..<4).reduce(0) { value, index in value | UInt32(bytes[offset + index]) << (8 * index) }
    }

    func int64(at offset: Int) -> Int64? {
        guard contains(offset, width: 8) else { return nil }
        let raw = (0..<8).reduce(UInt64(0)) { value, index in value | UInt64(bytes[offset + index]) << (8 * index) }
        return Int64(bitPattern: raw)
    }

    /// Copies `range` into wiped storage; nil if any part of it lies outside the blob.
    func secret(_ range: Range<Int>) -> SecretBytes? {
        guard range.lowerBound >= 0, range.upperBound <= bytes.count else { return nil }
        return SecretBytes(copying: UnsafeRawBufferPointer(rebasing: bytes[range]))
    }

    func contains(_ offset: Int, width: Int) -> Bool {
        offset >= 0 && width >= 0 && offset <= bytes.count - width
    }
}
