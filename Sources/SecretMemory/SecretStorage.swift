import Glibc

/// One heap buffer of secret bytes, zeroed before it goes back to the allocator.
///
/// `@unchecked Sendable`: the buffer is written only while `SecretBytes` initialises it, before
/// the storage is shared; afterwards it is only read.
final class SecretStorage: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer

    init(zeroedByteCount count: Int) {
        precondition(count >= 0, "a negative byte count for secret storage")
        buffer = .allocate(byteCount: count, alignment: 16)
        // Start from zeros so that a failing initialiser leaves nothing uninitialised behind.
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit {
        wipeSecret(buffer)
        buffer.deallocate()
    }
}

/// Zeroes memory in a way the optimiser may not remove, unlike a plain `memset` before `free`.
/// The one place in ccgd that wipes: every secret buffer, ours or a plug-in's, comes here.
public func wipeSecret(_ buffer: UnsafeMutableRawBufferPointer) {
    guard let base = buffer.baseAddress, buffer.count > 0 else { return }
    explicit_bzero(base, buffer.count)
}

/// Wipes a NUL-terminated C string (up to its NUL), e.g. a password a C library handed over.
public func wipeSecret(cString: UnsafeMutablePointer<CChar>) {
    wipeSecret(UnsafeMutableRawBufferPointer(start: cString, count: strlen(cString)))
}
