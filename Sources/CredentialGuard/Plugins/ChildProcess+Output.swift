#if canImport(Glibc)
import Glibc
#endif

/// Bytes that may hold a secret (a plug-in's stdout, a decoded password): grown without leaving
/// copies behind, and zeroed when released.
final class WipedBuffer {
    private var storage: UnsafeMutableRawBufferPointer
    private(set) var count = 0

    init(capacity: Int) {
        storage = .allocate(byteCount: max(capacity, 1), alignment: 1)
    }

    deinit {
        explicit_bzero(storage.baseAddress!, storage.count)
        storage.deallocate()
    }

    /// Lends the bytes written so far for the duration of `body`; do not keep them.
    func withBytes<Result, Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Result) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    /// Empty or only JSON white space.
    var isBlank: Bool {
        withBytes { $0.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D } }
    }

    func append(_ byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count += 1
    }

    /// Lets `body` write up to `maximum` bytes at the end (as `read(2)` does) and keeps what it reports.
    func append(upTo maximum: Int, _ body: (UnsafeMutableRawBufferPointer) -> Int) -> Int {
        reserve(maximum)
        let written = body(UnsafeMutableRawBufferPointer(rebasing: storage[count..<(count + maximum)]))
        if written > 0 { count += written }
        return written
    }

    /// Makes room for `extra` more bytes; the old storage is zeroed before it is freed.
    private func reserve(_ extra: Int) {
        guard count + extra > storage.count else { return }
        let larger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(storage.count * 2, count + extra), alignment: 1)
        larger.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[0..<count]))
        explicit_bzero(storage.baseAddress!, storage.count)
        storage.deallocate()
        storage = larger
    }
}
