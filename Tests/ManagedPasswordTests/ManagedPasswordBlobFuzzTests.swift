import KerberosKeys
import TestSupport
import XCTest

final class ManagedPasswordBlobFuzzTests: XCTestCase {
    /// Seeded mutations of valid blobs: each either decodes or throws, never traps or over-reads.
    func testRandomMutationsNeverCrash() {
        var generator = SplitMix64(state: 0xB10B)
        let seeds = [
            BlobFixture(current: BlobFixture.randomPassword(seed: 3)).bytes,
            BlobFixture(current: BlobFixture.randomPassword(seed: 4), previous: BlobFixture.randomPassword(seed: 5)).bytes,
            BlobFixture(current: [0x41, 0xD800], previous: [0xDC00], alignIntervals: true).bytes,
        ]
        var decoded = 0
        var rejected = 0
        for _ in 0..<20_000 {
            var bytes = seeds[Int.random(in: 0..<seeds.count, using: &generator)]
            for _ in 0..<Int.random(in: 1...4, using: &generator) {
                mutate(&bytes, using: &generator)
            }
            do {
                let blob = try ManagedPasswordBlob(decoding: bytes)
                _ = blob.currentPassword.kerberosUTF8()
                decoded += 1
            } catch {
                _ = error.description
                rejected += 1
            }
        }
        XCTAssertEqual(decoded + rejected, 20_000)
        XCTAssertGreaterThan(decoded, 100, "mutations should leave some blobs valid")
        XCTAssertGreaterThan(rejected, 100, "mutations should break some blobs")
    }

    private func mutate(_ bytes: inout [UInt8], using generator: inout SplitMix64) {
        switch Int.random(in: 0..<6, using: &generator) {
        case 0 where !bytes.isEmpty: // flip a byte anywhere
            bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
        case 1 where bytes.count >= 16: // point a header offset somewhere plausible
            let field = [HeaderOffset.current, HeaderOffset.previous, HeaderOffset.query, HeaderOffset.unchanged].randomElement(using: &generator)!
            bytes = bytes.setting(uint16: UInt16.random(in: 0...UInt16(min(bytes.count + 8, 0xFFFF)), using: &generator), at: field)
        case 2: // truncate
            bytes.removeLast(Int.random(in: 0...bytes.count, using: &generator))
        case 3: // extend
            bytes += (0..<Int.random(in: 1...16, using: &generator)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        case 4 where bytes.count >= 8: // make the declared length agree with the (mutated) size
            bytes.replaceSubrange(4..<8, with: le(UInt32(bytes.count)))
        default: // tamper with the header's first 16 bytes only
            if !bytes.isEmpty {
                bytes[Int.random(in: 0..<min(16, bytes.count), using: &generator)] ^= UInt8.random(in: 1...255, using: &generator)
            }
        }
    }
}
