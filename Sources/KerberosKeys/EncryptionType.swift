/// A Kerberos encryption type this daemon derives keys for; raw values are the IANA numbers.
package enum EncryptionType: Int32, Sendable, CaseIterable, Hashable, CustomStringConvertible {
    // Declared strongest first: `allCases` is the preference order.
    case aes256CtsHmacSha196 = 18
    case aes128CtsHmacSha196 = 17
    case rc4Hmac = 23

    /// MIT's name, as `klist -e` prints it.
    package var name: String {
        switch self {
        case .aes256CtsHmacSha196: "aes256-cts-hmac-sha1-96"
        case .aes128CtsHmacSha196: "aes128-cts-hmac-sha1-96"
        case .rc4Hmac: "arcfour-hmac"
        }
    }

    /// Accepts MIT's names and common aliases, case-insensitively.
    package init?(name: String) {
        switch name.lowercased() {
        case "aes256-cts-hmac-sha1-96", "aes256-cts", "aes256-sha1": self = .aes256CtsHmacSha196
        case "aes128-cts-hmac-sha1-96", "aes128-cts", "aes128-sha1": self = .aes128CtsHmacSha196
        case "arcfour-hmac", "arcfour-hmac-md5", "rc4-hmac", "rc4-hmac-md5": self = .rc4Hmac
        default: return nil
        }
    }

    /// Key length in bytes.
    package var keyLength: Int {
        switch self {
        case .aes256CtsHmacSha196: 32
        case .aes128CtsHmacSha196, .rc4Hmac: 16
        }
    }

    var isAES: Bool { self != .rc4Hmac }

    package var description: String { name }
}
