internal import CCGPluginABI

extension PluginError.Code {
    /// The `CCGD_PLUGIN_E_*` value of `ccgd_plugin.h` that carries this code across the C ABI.
    package var abiCode: Int32 {
        switch self {
        case .invalidInput: CCGD_PLUGIN_E_INVALID_INPUT
        case .notFound: CCGD_PLUGIN_E_NOT_FOUND
        case .accessDenied: CCGD_PLUGIN_E_ACCESS_DENIED
        case .unavailable: CCGD_PLUGIN_E_UNAVAILABLE
        case .malformedSecret: CCGD_PLUGIN_E_MALFORMED_SECRET
        case .failed: CCGD_PLUGIN_E_FAILED
        }
    }

    /// The code a `CCGD_PLUGIN_E_*` value stands for; nil for 0 and for values the header does not define.
    package init?(abiCode: Int32) {
        switch abiCode {
        case CCGD_PLUGIN_E_INVALID_INPUT: self = .invalidInput
        case CCGD_PLUGIN_E_NOT_FOUND: self = .notFound
        case CCGD_PLUGIN_E_ACCESS_DENIED: self = .accessDenied
        case CCGD_PLUGIN_E_UNAVAILABLE: self = .unavailable
        case CCGD_PLUGIN_E_MALFORMED_SECRET: self = .malformedSecret
        case CCGD_PLUGIN_E_FAILED: self = .failed
        default: return nil
        }
    }
}
