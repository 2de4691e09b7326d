/// Secret bytes: never printed, wiped when the last copy is released.
///
/// Copies share one buffer; it is zeroed and freed when the last copy goes away. The bytes a
/// caller hands to `init(_:)` stay in the caller's array: prefer `init(copying:)` or
/// `init(count:initializingWith:)` to keep secrets out of unwiped Swift arrays.
public struct SecretBytes: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable
{
    private let storage: SecretStorage

    public init(_ bytes: [UInt8]) {
        self.init(count: bytes.count) { destination in
            bytes.withUnsafeBytes { destination.copyMemory(from: $0) }
        }
    }

    public init(copying bytes: UnsafeRawBufferPointer) {
        self.init(count: bytes.count) { destination in destination.copyMemory(from: bytes) }
    }

    /// Lets a producer write the secret straight into wiped storage, with no intermediate copy.
    /// The buffer starts zeroed; if `body` throws, the storage is wiped and the error rethrown.
    public init<E: Error>(
        count: Int,
        initializingWith body: (UnsafeMutableRawBufferPointer) throws(E) -> Void
    ) throws(E) {
        let storage = SecretStorage(zeroedByteCount: count)
        try body(storage.buffer)
        self.storage = storage
    }

    /// Takes a copy of a wiped buffer's bytes (a decoded password, a file read in place).
    public init(copying buffer: SecretBuffer) {
        self = buffer.withBytes { SecretBytes(copying: $0) }
    }

    public var count: Int { storage.buffer.count }
    public var isEmpty: Bool { storage.buffer.count == 0 }

    public func withUnsafeBytes<R, E: Error>(_ body: (UnsafeRawBufferPointer) throws(E) -> R) throws(E) -> R {
        defer { withExtendedLifetime(storage) {} }
        return try body(UnsafeRawBufferPointer(storage.buffer))
    }

    /// Constant-time for equal lengths, so a comparison does not tell how many leading bytes match.
    public static func == (lhs: SecretBytes, rhs: SecretBytes) -> Bool {
        guard lhs.count == rhs.count else { return false }
        return lhs.withUnsafeBytes { left in
            rhs.withUnsafeBytes { right in
                // Every byte is looked at, whatever the first difference (no OpenSSL in this leaf module).
                var difference: UInt8 = 0
                for index in 0..<left.count { difference |= left[index] ^ right[index] }
                return difference == 0
            }
        }
    }

    public var description: String { "<redacted \(count) bytes>" }

    public var debugDescription: String { "SecretBytes(<redacted \(count) bytes>)" }

    /// No children, so `dump` and `Mirror` cannot reach the storage.
    public var customMirror: Mirror { Mirror(self, children: [:], displayStyle: .struct) }
}
