internal import CKrb5

/// A libkrb5 failure, classified so that callers can tell a wrong password from an unreachable KDC.
package struct KerberosError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, in the terms an operator acts on.
    package enum Kind: Sendable, Equatable {
        case wrongPassword
        case clientUnknown
        case clientRevoked
        case passwordExpired
        case clockSkew
        case kdcUnreachable
        /// The KDC answered that it cannot serve now (KDC_ERR_SVC_UNAVAILABLE): busy or starting.
        case kdcBusy
        case realmUnknown
        case encryptionTypeNotSupported
        case badInput
        case other
    }

    package let kind: Kind
    /// What we were doing, e.g. "obtain a ticket for StandardUser01@CONTOSO.TEST".
    package let operation: String
    package let code: Int32
    /// libkrb5's own text (names principals and realms, never keys or passwords).
    package let libraryMessage: String

    package init(kind: Kind, operation: String, code: Int32, libraryMessage: String) {
        self.kind = kind
        self.operation = operation
        self.code = code
        self.libraryMessage = libraryMessage
    }

    package var description: String {
        let advice: String
        switch kind {
        case .wrongPassword: advice = "the KDC rejected the password or key; check the credentials"
        case .clientUnknown: advice = "the KDC does not know this principal; check the account name and realm"
        case .clientRevoked: advice = "the account is disabled or locked out; enable it in the directory"
        case .passwordExpired: advice = "the account's password has expired; set a new one"
        case .clockSkew: advice = "this host's clock differs too much from the KDC's; synchronise the clock (NTP)"
        case .kdcUnreachable: advice = "no KDC answered; check the KDC addresses and that TCP/UDP port 88 is reachable"
        case .kdcBusy: advice = "the KDC is busy or not ready; ccgd tries again later"
        case .realmUnknown: advice = "no KDC is known for this realm; configure the domain controllers or DNS SRV records"
        case .encryptionTypeNotSupported: advice = "the KDC and the keys share no encryption type; check msDS-SupportedEncryptionTypes"
        case .badInput: advice = "the input is malformed"
        case .other: advice = "see the Kerberos message"
        }
        return "cannot \(operation): \(libraryMessage) (\(advice))."
    }

    static func classify(_ code: krb5_error_code) -> Kind {
        switch Int(code) {
        case Int(KRB5KDC_ERR_PREAUTH_FAILED), Int(KRB5KRB_AP_ERR_BAD_INTEGRITY): return .wrongPassword
        case Int(KRB5KDC_ERR_C_PRINCIPAL_UNKNOWN): return .clientUnknown
        case Int(KRB5KDC_ERR_CLIENT_REVOKED): return .clientRevoked
        case Int(KRB5KDC_ERR_KEY_EXP): return .passwordExpired
        case Int(KRB5KRB_AP_ERR_SKEW): return .clockSkew
        case Int(KRB5_KDC_UNREACH): return .kdcUnreachable
        case Int(KRB5KDC_ERR_SVC_UNAVAILABLE): return .kdcBusy
        case Int(KRB5_REALM_UNKNOWN), Int(KRB5_REALM_CANT_RESOLVE), Int(KRB5_CONFIG_CANTOPEN): return .realmUnknown
        case Int(KRB5KDC_ERR_ETYPE_NOSUPP), Int(KRB5_PROG_ETYPE_NOSUPP): return .encryptionTypeNotSupported
        case Int(KRB5_PARSE_MALFORMED), Int(KRB5_PARSE_ILLCHAR): return .badInput
        default: return .other
        }
    }
}
