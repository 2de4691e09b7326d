import Kerberos
import KerberosKeys

/// When the keys derived with AD's salt rule are refused, the KDC is asked for the salt it uses.
/// Asking costs an AS exchange of its own, so it is done only after a refusal: the gMSA's AS
/// exchange with the rule's keys is the KDC's confirmation in the normal case.
enum SaltFallback {
    /// Only a refused key (pre-authentication failed, bad integrity) can be a wrong salt; an
    /// unknown, disabled or unreachable account cannot be cured by another one.
    static func asksForTheKDCsSalt(after error: AccountFetchError) -> Bool {
        guard case let .managedAccountLogin(_, failure) = error else { return false }
        return failure.kind == .wrongPassword
    }

    /// The KDC's salt when it is worth another derivation: told, and not the one already used.
    static func retrySalt(advertised: KeySaltAdvertisement?, used: Salt) -> Salt? {
        guard let advertised, !advertised.salt.isEmpty, advertised.salt != used.value else { return nil }
        return Salt(advertised.salt)
    }

    /// What the KDC tells about `principal`'s key; nil when it tells nothing (the original refusal stands).
    static func advertisement(for principal: String) -> KeySaltAdvertisement? {
        guard let context = try? KerberosContext(), let client = try? Principal(parsing: principal, context: context) else { return nil }
        return try? context.keySaltAdvertisement(for: client)
    }
}
