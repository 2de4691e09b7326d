import KerberosKeys
import TestSupport

/// Builds MSDS-MANAGEDPASSWORD_BLOBs the way Windows lays them out (no padding unless asked).
struct BlobFixture {
    static let thirtyDays: Int64 = 30 * 86_400 * 10_000_000
    static let fiveMinutes: Int64 = 5 * 60 * 10_000_000

    var version: UInt16 = 1
    var current: [UInt16]
    var previous: [UInt16]?
    var queryInterval: Int64 = thirtyDays
    var unchangedInterval: Int64 = thirtyDays - fiveMinutes
    /// MS-ADTS asks for 8-byte aligned intervals; Windows does not align them, this lets tests try both.
    var alignIntervals = false

    /// 128 UTF-16 units (256 bytes) from a seeded generator, never NUL: the shape of a real gMSA password.
    static func randomPassword(seed: UInt64) -> [UInt16] {
        var generator = SplitMix64(state: seed)
        return (0..<128).map { _ in
            let unit = UInt16(truncatingIfNeeded: generator.next())
            return unit == 0 ? 1 : unit
        }
    }

    var offsets: (current: Int, previous: Int, query: Int, unchanged: Int, length: Int) {
        let current = 16
        var end = current + 2 * self.current.count + 2
        var previousOffset = 0
        if let previous {
            previousOffset = end
            end += 2 * previous.count + 2
        }
        if alignIntervals { end = (end + 7) / 8 * 8 }
        return (current, previousOffset, end, end + 8, end + 16)
    }

    var bytes: [UInt8] {
        let layout = offsets
        var blob = [UInt8]()
        blob += le(version) + le(UInt16(0)) + le(UInt32(layout.length))
        blob += le(UInt16(layout.current)) + le(UInt16(layout.previous)) + le(UInt16(layout.query)) + le(UInt16(layout.unchanged))
        blob += utf16LittleEndian(current + [0])
        if let previous { blob += utf16LittleEndian(previous + [0]) }
        blob += [UInt8](repeating: 0, count: layout.query - blob.count)
        blob += le(UInt64(bitPattern: queryInterval)) + le(UInt64(bitPattern: unchangedInterval))
        return blob
    }
}

func le<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
    withUnsafeBytes(of: value.littleEndian) { Array($0) }
}

extension Array where Element == UInt8 {
    /// A copy with a little-endian u16 written at `offset` (for corrupting header fields).
    func setting(uint16 value: UInt16, at offset: Int) -> [UInt8] {
        var copy = self
        copy.replaceSubrange(offset..<offset + 2, with: le(value))
        return copy
    }

    func uint16(at offset: Int) -> Int { Int(self[offset]) | Int(self[offset + 1]) << 8 }
}

/// Header field positions, as MS-ADTS 2.2.19 lays them out.
enum HeaderOffset {
    static let version = 0
    static let length = 4
    static let current = 8
    static let previous = 10
    static let query = 12
    static let unchanged = 14
}
