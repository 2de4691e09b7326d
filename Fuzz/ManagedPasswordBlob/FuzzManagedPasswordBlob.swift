import KerberosKeys

/// libFuzzer entry: an msDS-ManagedPassword value as a DC (or anyone on the path) sends it. A blob
/// that decodes goes on through the cheap parts of key derivation (UTF-8 conversion, RC4's MD4);
/// AES's 4096 PBKDF2 rounds would only slow the search down.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzManagedPasswordBlob(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: data, count: size))
    do {
        let blob = try ManagedPasswordBlob(decoding: bytes)
        _ = blob.description
        for password in [blob.currentPassword, blob.previousPassword].compactMap({ $0 }) {
            precondition(
                password.utf16LittleEndian.count > 0 && password.utf16LittleEndian.count % 2 == 0,
                "a decoded password is empty or not whole UTF-16 units")
            _ = password.kerberosUTF8()
            _ = try? KeyDerivation.rc4Key(utf16LittleEndian: password.utf16LittleEndian)
        }
        precondition(blob.queryPasswordInterval >= .zero && blob.unchangedPasswordInterval >= .zero, "a negative interval")
    } catch {
        _ = error.description
    }
    return 0
}
