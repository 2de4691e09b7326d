import CKrb5
import KerberosKeys
import XCTest

import Glibc

/// Bytes from hex with optional spaces, as RFCs print them.
func bytes(hex: String) -> [UInt8] {
    let digits = Array(hex.filter { !$0.isWhitespace })
    precondition(digits.count % 2 == 0, "odd number of hex digits")
    return stride(from: 0, to: digits.count, by: 2).map { UInt8(String(digits[$0...$0 + 1]), radix: 16)! }
}

func hex(_ secret: SecretBytes) -> String {
    secret.withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
}

func array(_ secret: SecretBytes) -> [UInt8] {
    secret.withUnsafeBytes { Array($0) }
}

/// UTF-16LE bytes of explicit code units, so tests can build passwords Swift Strings cannot hold.
func utf16LittleEndian(_ units: [UInt16]) -> [UInt8] {
    units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
}

func password(_ units: [UInt16]) -> ManagedPassword {
    ManagedPassword(utf16LittleEndian: SecretBytes(utf16LittleEndian(units)))
}

/// Lets libkrb5 run RFC 3962's 1-, 2-, 5-, 50- and 1200-iteration vectors: MIT refuses counts below
/// 4096 unless its exported test flag is set. Set once per process, before any such test.
enum WeakIterations {
    static let allowed: Bool = {
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "k5_allow_weak_pbkdf2iter") else { return false }
        symbol.assumingMemoryBound(to: krb5_boolean.self).pointee = 1
        return true
    }()
}
