#if canImport(Glibc)
import Glibc
#endif

/// A password handed over by a plug-in: never printed, dumped or interpolated, and its bytes
/// are wiped when the last copy is released.
public struct Password: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    private let storage: Storage

    /// Takes the UTF-8 of `text` (the `String` itself cannot be wiped: drop it soon).
    public init(_ text: String) {
        storage = Storage(Array(text.utf8))
    }

    /// Copies `utf8` into wiped storage.
    public init(utf8 bytes: some Collection<UInt8>) {
        storage = Storage(Array(bytes))
    }

    /// The number of UTF-8 bytes.
    public var count: Int { storage.count }
    public var isEmpty: Bool { storage.count == 0 }

    /// Lends the UTF-8 bytes for the duration of `body`; do not keep them.
    public func withUTF8<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(rebasing: storage.buffer[0..<storage.count]))
    }

    public var description: String { "<password: \(count) bytes, redacted>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// Constant-time comparison, so tests and callers never leak a prefix through timing.
    public static func == (lhs: Password, rhs: Password) -> Bool {
        guard lhs.count == rhs.count else { return false }
        var difference: UInt8 = 0
        for index in 0..<lhs.count { difference |= lhs.storage.buffer[index] ^ rhs.storage.buffer[index] }
        return difference == 0
    }

    private final class Storage: @unchecked Sendable {   // immutable after init
        let buffer: UnsafeMutableRawBufferPointer
        let count: Int

        init(_ bytes: [UInt8]) {
            var bytes = bytes
            count = bytes.count
            buffer = .allocate(byteCount: max(bytes.count, 1), alignment: 1)
            buffer.initializeMemory(as: UInt8.self, repeating: 0)
            buffer.copyBytes(from: bytes)
            bytes.withUnsafeMutableBytes { if let base = $0.baseAddress { explicit_bzero(base, $0.count) } }
        }

        deinit {
            explicit_bzero(buffer.baseAddress!, buffer.count)
            buffer.deallocate()
        }
    }
}
