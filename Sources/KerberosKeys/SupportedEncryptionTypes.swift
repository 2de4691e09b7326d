/// msDS-SupportedEncryptionTypes bits.
public struct SupportedEncryptionTypes: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32

    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    public static let rc4Hmac = SupportedEncryptionTypes(rawValue: 0x4)
    public static let aes128 = SupportedEncryptionTypes(rawValue: 0x8)
    public static let aes256 = SupportedEncryptionTypes(rawValue: 0x10)
    /// The three types this daemon derives.
    public static let all: SupportedEncryptionTypes = [.aes256, .aes128, .rc4Hmac]

    public init(_ encryptionType: EncryptionType) {
        switch encryptionType {
        case .aes256CtsHmacSha196: self = .aes256
        case .aes128CtsHmacSha196: self = .aes128
        case .rc4Hmac: self = .rc4Hmac
        }
    }

    /// The key types to derive, strongest first; an unset/zero attribute (nil) or one with none of
    /// the three bits means all three.
    public static func encryptionTypes(fromAttribute value: UInt32?) -> [EncryptionType] {
        let known = SupportedEncryptionTypes(rawValue: value ?? 0).intersection(.all)
        return (known.isEmpty ? .all : known).encryptionTypes
    }

    /// Exactly the types whose bits are set, strongest first (possibly none).
    public var encryptionTypes: [EncryptionType] {
        EncryptionType.allCases.filter { contains(SupportedEncryptionTypes($0)) }
    }
}
