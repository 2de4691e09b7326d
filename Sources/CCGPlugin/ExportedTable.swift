internal import CCGPluginABI
import Dispatch
import SecretMemory
import Glibc

/// The one `struct ccgd_plugin_v1` of this library, made on first use and never freed.
final class ExportedTable: @unchecked Sendable { // `table` is guarded by `mutex`
    static let shared = ExportedTable()

    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private var table: UnsafeMutablePointer<ccgd_plugin_v1>?

    private init() {
        mutex = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
    }

    func table<Plugin: DomainAuthCredentials>(name: String, makePlugin: () -> Plugin) -> UnsafePointer<ccgd_plugin_v1> {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        if let table { return UnsafePointer(table) }
        let plugin = ExportedPlugin(makePlugin())
        let made = UnsafeMutablePointer<ccgd_plugin_v1>.allocate(capacity: 1)
        made.initialize(
            to: ccgd_plugin_v1(
                abi_version: CCGD_PLUGIN_ABI_VERSION,
                struct_size: UInt32(MemoryLayout<ccgd_plugin_v1>.size),
                name: UnsafePointer(strdup(name)),
                context: Unmanaged.passRetained(plugin).toOpaque(),
                get_password_credentials: exportedPasswordCredentials,
                free_string: exportedFreeString
            ))
        table = made
        return UnsafePointer(made)
    }
}

/// The plug-in behind the table's `context`.
final class ExportedPlugin: Sendable {
    let plugin: any DomainAuthCredentials

    init(_ plugin: any DomainAuthCredentials) {
        self.plugin = plugin
    }

    /// Runs the async method as a task and waits for it on the calling (C) thread.
    func answer(pluginInput: String) -> Result<DomainCredential, any Error> {
        let done = DispatchSemaphore(value: 0)
        let outcome = Outcome()
        let plugin = self.plugin
        Task.detached {
            do {
                outcome.result = .success(try await plugin.passwordCredentials(pluginInput: pluginInput))
            } catch {
                outcome.result = .failure(error)
            }
            done.signal()
        }
        done.wait()
        return outcome.result!
    }

    private final class Outcome: @unchecked Sendable { // written once before the signal, read after the wait
        var result: Result<DomainCredential, any Error>?
    }
}

/// `get_password_credentials` of the table.
private func exportedPasswordCredentials(
    _ context: UnsafeMutableRawPointer?, _ pluginInput: UnsafePointer<CChar>?,
    _ domainName: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ username: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ password: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
    _ errorMessage: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> Int32 {
    guard let context, let pluginInput, let domainName, let username, let password else {
        errorMessage?.pointee = strdup("the host passed a NULL argument to get_password_credentials.")
        return CCGD_PLUGIN_E_INVALID_INPUT
    }
    let plugin = Unmanaged<ExportedPlugin>.fromOpaque(context).takeUnretainedValue()
    func fail(_ error: PluginError) -> Int32 {
        errorMessage?.pointee = strdup(error.message)
        return error.code.abiCode
    }
    switch plugin.answer(pluginInput: String(cString: pluginInput)) {
    case let .failure(error as PluginError):
        return fail(error)
    case let .failure(error):
        return fail(PluginError(.failed, String(describing: error)))
    case let .success(credential):
        guard !credential.domainName.utf8.contains(0), !credential.username.utf8.contains(0) else {
            return fail(PluginError(.malformedSecret, "the plug-in returned a domain or user name with a NUL character, which the C ABI cannot carry."))
        }
        guard let secret = copyPassword(credential.password) else {
            return fail(PluginError(.malformedSecret, "the plug-in returned a password with a NUL character, which the C ABI cannot carry."))
        }
        domainName.pointee = strdup(credential.domainName)
        username.pointee = strdup(credential.username)
        password.pointee = secret
        return CCGD_PLUGIN_OK
    }
}

/// The password as a malloc'ed C string, or nil when it holds a NUL byte.
private func copyPassword(_ password: Password) -> UnsafeMutablePointer<CChar>? {
    password.withUTF8 { bytes -> UnsafeMutablePointer<CChar>? in
        guard !bytes.contains(0) else { return nil }
        let copy = UnsafeMutableRawPointer(malloc(bytes.count + 1)!)
        if let base = bytes.baseAddress { copy.copyMemory(from: base, byteCount: bytes.count) }
        copy.storeBytes(of: 0, toByteOffset: bytes.count, as: UInt8.self)
        return copy.assumingMemoryBound(to: CChar.self)
    }
}

/// `free_string` of the table: every string is wiped, as it cannot tell the password apart.
private func exportedFreeString(_ context: UnsafeMutableRawPointer?, _ string: UnsafeMutablePointer<CChar>?) {
    guard let string else { return }
    wipeSecret(cString: string)
    free(string)
}
