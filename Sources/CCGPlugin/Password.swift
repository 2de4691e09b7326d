@_exported import SecretMemory

/// A password handed over by a plug-in: its UTF-8 bytes in `SecretBytes`, so never printed, dumped
/// or interpolated, and wiped when the last copy is released.
public struct Password: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The UTF-8 bytes.
    public let secret: SecretBytes

    /// Takes bytes already in wiped storage, with no further copy (the way to make one from a secret
    /// store's answer: read it into a `SecretBuffer` or `SecretBytes(count:initializingWith:)`).
    public init(_ secret: SecretBytes) {
        self.secret = secret
    }

    /// Takes the UTF-8 of `text` (the `String` itself cannot be wiped: drop it soon).
    public init(_ text: String) {
        var text = text
        secret = text.withUTF8 { SecretBytes(copying: UnsafeRawBufferPointer($0)) }
    }

    /// Copies `utf8` into wiped storage.
    public init(utf8 bytes: some Collection<UInt8>) {
        secret = SecretBytes(count: bytes.count) { destination in
            _ = UnsafeMutableRawBufferPointer(destination).initializeMemory(as: UInt8.self, from: bytes)
        }
    }

    /// The number of UTF-8 bytes.
    public var count: Int { secret.count }
    public var isEmpty: Bool { secret.isEmpty }

    /// Lends the UTF-8 bytes for the duration of `body`; do not keep them.
    public func withUTF8<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try secret.withUnsafeBytes(body)
    }

    public var description: String { "<password: \(count) bytes, redacted>" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }

    /// Constant-time comparison (`SecretBytes`'), so tests and callers never leak a prefix through timing.
    public static func == (lhs: Password, rhs: Password) -> Bool { lhs.secret == rhs.secret }
}
