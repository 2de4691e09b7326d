internal import CKrb5
import KerberosKeys

/// What a KDC says about a principal's long-term key before anyone proves anything: the
/// encryption type it prefers and the salt (PA-ETYPE-INFO2). Public knowledge, never a secret.
package struct KeySaltAdvertisement: Sendable, Equatable {
    /// The IANA number of the enctype the KDC chose; 0 when it sent no etype-info.
    package let encryptionTypeNumber: Int32
    /// The salt for that enctype; empty when the KDC sent no etype-info.
    package let salt: String

    package init(encryptionTypeNumber: Int32, salt: String) {
        self.encryptionTypeNumber = encryptionTypeNumber
        self.salt = salt
    }

    /// The enctype, when it is one ccgd derives keys for.
    package var encryptionType: EncryptionType? { EncryptionType(rawValue: encryptionTypeNumber) }

    /// MIT's name for the enctype, or its number.
    package var encryptionTypeName: String { encryptionType?.name ?? "enctype \(encryptionTypeNumber)" }
}

extension KerberosContext {
    /// Asks the KDC which enctype and salt it uses for `principal` (an AS request without
    /// pre-authentication, answered with PA-ETYPE-INFO2). Blocking: it waits on the KDC.
    package func keySaltAdvertisement(for principal: Principal) throws(KerberosError) -> KeySaltAdvertisement {
        var encryptionType: krb5_enctype = 0
        var salt = krb5_data()
        var parameters = krb5_data()
        try check(
            krb5_get_etype_info(raw, principal.raw, nil, &encryptionType, &salt, &parameters),
            "ask the KDC for the salt of \(principal.name)")
        defer {
            krb5_free_data_contents(raw, &salt)
            krb5_free_data_contents(raw, &parameters)
        }
        var text = ""
        if salt.length > 0, let bytes = salt.data {
            text = String(decoding: UnsafeRawBufferPointer(start: bytes, count: Int(salt.length)), as: UTF8.self)
        }
        return KeySaltAdvertisement(encryptionTypeNumber: encryptionType, salt: text)
    }
}
