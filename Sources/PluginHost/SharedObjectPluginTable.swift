import CCGPlugin
internal import CCGPluginABI
import SecretMemory
import Glibc

/// The functions of a loaded `struct ccgd_plugin_v1`, and the one blocking call through them.
final class SharedObjectPluginTable: @unchecked Sendable { // immutable; ccgd_plugin.h makes the plug-in thread-safe
    typealias GetPasswordCredentials =
        @convention(c) (
            UnsafeMutableRawPointer?, UnsafePointer<CChar>?,
            UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
            UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        ) -> Int32
    typealias FreeString = @convention(c) (UnsafeMutableRawPointer?, UnsafeMutablePointer<CChar>?) -> Void

    private let context: UnsafeMutableRawPointer?
    private let getPasswordCredentials: GetPasswordCredentials
    private let freeString: FreeString
    /// How errors name the plug-in: `shared-object plug-in "NAME" (PATH)`.
    private let label: String

    init(
        context: UnsafeMutableRawPointer?, getPasswordCredentials: @escaping GetPasswordCredentials,
        freeString: @escaping FreeString, label: String
    ) {
        self.context = context
        self.getPasswordCredentials = getPasswordCredentials
        self.freeString = freeString
        self.label = label
    }

    /// Calls `get_password_credentials`, blocking, and hands every string back to `free_string`
    /// (the password wiped first).
    func passwordCredentials(pluginInput: String) throws(PluginError) -> DomainCredential {
        guard !pluginInput.utf8.contains(0) else {
            throw PluginError(.invalidInput, "the plug-in input holds a NUL character, which \(label) cannot receive; fix PluginInput in the CredSpec.")
        }
        var domainName: UnsafeMutablePointer<CChar>?, username: UnsafeMutablePointer<CChar>?
        var password: UnsafeMutablePointer<CChar>?, message: UnsafeMutablePointer<CChar>?
        let code = pluginInput.withCString {
            getPasswordCredentials(context, $0, &domainName, &username, &password, &message)
        }
        defer {
            if let password { wipeSecret(cString: password) }
            for string in [domainName, username, password, message] {
                if let string { freeString(context, string) }
            }
        }
        guard code == CCGD_PLUGIN_OK else { throw failure(code: code, message: message) }
        let domain = try text(domainName, field: "domain name")
        let user = try text(username, field: "user name")
        guard let password, password.pointee != 0 else {
            throw PluginError(.malformedSecret, "\(label) returned an empty password; fix the plug-in or the secret it reads.")
        }
        let bytes = UnsafeRawBufferPointer(start: password, count: strlen(password)).bindMemory(to: UInt8.self)
        guard Self.isUTF8(bytes) else {
            throw PluginError(.malformedSecret, "\(label) returned a password that is not valid UTF-8; fix the plug-in or the secret it reads.")
        }
        return DomainCredential(domainName: domain, username: user, password: Password(utf8: bytes))
    }

    private func failure(code: Int32, message: UnsafeMutablePointer<CChar>?) -> PluginError {
        let reason = message.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: strlen($0)), as: UTF8.self) }
            .flatMap { $0.isEmpty ? nil : $0 }
        guard let known = PluginError.Code(abiCode: code) else {
            return PluginError(.failed, "\(label) failed with unknown error code \(code)" + (reason.map { ": \($0)" } ?? "; see its documentation."))
        }
        return PluginError(known, reason ?? "\(label) failed with \(known.rawValue) and gave no reason; see its documentation.")
    }

    private func text(_ string: UnsafeMutablePointer<CChar>?, field: String) throws(PluginError) -> String {
        guard let string, string.pointee != 0 else {
            throw PluginError(.malformedSecret, "\(label) returned an empty \(field); fix the plug-in or the secret it reads.")
        }
        guard let text = String(validatingCString: string) else {
            throw PluginError(.malformedSecret, "\(label) returned a \(field) that is not valid UTF-8; fix the plug-in or the secret it reads.")
        }
        return text
    }

    /// Checks UTF-8 without making a `String`, which could not be wiped.
    private static func isUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }
}
