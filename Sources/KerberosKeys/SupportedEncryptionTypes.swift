/// msDS-SupportedEncryptionTypes bits.
package struct SupportedEncryptionTypes: OptionSet, Sendable, Hashable {
    package let rawValue: UInt32

    package init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    package static let rc4Hmac = SupportedEncryptionTypes(rawValue: 0x4)
    package static let aes128 = SupportedEncryptionTypes(rawValue: 0x8)
    package static let aes256 = SupportedEncryptionTypes(rawValue: 0x10)
    /// The three types this daemon derives.
    package static let all: SupportedEncryptionTypes = [.aes256, .aes128, .rc4Hmac]

    package init(_ encryptionType: EncryptionType) {
        switch encryptionType {
        case .aes256CtsHmacSha196: self = .aes256
        case .aes128CtsHmacSha196: self = .aes128
        case .rc4Hmac: self = .rc4Hmac
        }
    }

    /// The key types to derive, strongest first; an unset/zero attribute (nil) or one with none of
    /// the three bits means all three.
    package static func encryptionTypes(fromAttribute value: UInt32?) -> [EncryptionType] {
        let known = SupportedEncryptionTypes(rawValue: value ?? 0).intersection(.all)
        return (known.isEmpty ? .all : known).encryptionTypes
    }

    /// Exactly the types whose bits are set, strongest first (possibly none).
    package var encryptionTypes: [EncryptionType] {
        EncryptionType.allCases.filter { contains(SupportedEncryptionTypes($0)) }
    }
}
