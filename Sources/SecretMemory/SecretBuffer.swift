/// Secret bytes that are still being written (a plug-in's stdout, a file, a decoded JSON string):
/// grown without leaving copies behind, and zeroed when released. Make a `SecretBytes` of it to keep.
public final class SecretBuffer {
    private var storage: UnsafeMutableRawBufferPointer
    public private(set) var count = 0

    public init(capacity: Int) {
        storage = .allocate(byteCount: max(capacity, 1), alignment: 1)
    }

    deinit {
        wipeSecret(storage)
        storage.deallocate()
    }

    /// Lends the bytes written so far for the duration of `body`; do not keep them.
    public func withBytes<Result, Failure: Error>(_ body: (UnsafeRawBufferPointer) throws(Failure) -> Result) throws(Failure) -> Result {
        try body(UnsafeRawBufferPointer(rebasing: storage[0..<count]))
    }

    public func append(_ byte: UInt8) {
        reserve(1)
        storage[count] = byte
        count += 1
    }

    /// Lets `body` write up to `maximum` bytes at the end (as `read(2)` does) and keeps what it reports.
    public func append(upTo maximum: Int, _ body: (UnsafeMutableRawBufferPointer) -> Int) -> Int {
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
        wipeSecret(storage)
        storage.deallocate()
        storage = larger
    }
}
