import CCGPlugin
internal import CCGPluginABI
import FoundationEssentials
import Glibc
import SystemSupport

/// A plug-in in a shared object (`.so`) that exports `ccgd_plugin_entry` of `ccgd_plugin.h`:
/// written in C, or in Swift with CCGPlugin's `PluginExport`, by any compiler.
///
/// Loading checks the file first (see `PluginFileCheck`) and loads what was checked (through the
/// checked descriptor), then keeps the library for the rest of the process: its threads may
/// outlive any call, so it is never unloaded.
package struct SharedObjectPlugin: DomainAuthCredentials, CustomStringConvertible {
    /// The plug-in ABI version ccgd speaks (`CCGD_PLUGIN_ABI_VERSION`).
    package static let abiVersion: UInt32 = CCGD_PLUGIN_ABI_VERSION

    /// The path it was loaded from, as given.
    package let path: String
    /// The plug-in's display name (its file name if it gives none).
    package let name: String
    private let table: SharedObjectPluginTable

    /// Loads the plug-in at the absolute `path`. `requireRootOwnership` false lets a file and
    /// directory of another owner pass (for tests and unprivileged runs); write access for group
    /// or others is refused always.
    package init(path: String, requireRootOwnership: Bool = true) throws(PluginLoadError) {
        let file = try PluginFileCheck.open(path, kind: "shared-object", requireRootOwnership: requireRootOwnership)
        // Loaded through the checked descriptor, not the path, which may name another file by now.
        guard let handle = dlopen(file.procPath, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            // The loader names the file it opened, /proc/self/fd/N: say the plug-in's path instead.
            throw .notLoadable(path: path, reason: reason.hasPrefix(file.procPath) ? path + reason.dropFirst(file.procPath.count) : reason)
        }
        // The loader knows the library by that name: the number must never name another file.
        file.keepOpen()
        // From here on a refused library stays loaded: its constructors may have started threads.
        guard let symbol = dlsym(handle, CCGD_PLUGIN_ENTRY_SYMBOL) else { throw .missingEntryPoint(path: path) }
        let entry = unsafeBitCast(symbol, to: ccgd_plugin_entry_fn.self)
        guard let pointer = entry(Self.abiVersion) else {
            throw .refusedHostVersion(path: path, hostVersion: Self.abiVersion)
        }
        let header = UnsafeRawPointer(pointer)
        let version = header.load(as: UInt32.self)
        guard version == Self.abiVersion else {
            throw .unsupportedVersion(path: path, version: version, hostVersion: Self.abiVersion)
        }
        let size = header.load(fromByteOffset: MemoryLayout<UInt32>.size, as: UInt32.self)
        let expected = UInt32(MemoryLayout<ccgd_plugin_v1>.size)
        guard size >= expected else { throw .tableTooSmall(path: path, size: size, expected: expected) }
        let fields = pointer.pointee
        guard let get = fields.get_password_credentials else {
            throw .missingFunction(path: path, function: "get_password_credentials")
        }
        guard let free = fields.free_string else { throw .missingFunction(path: path, function: "free_string") }
        let fileName = path.split(separator: "/").last.map(String.init) ?? path
        let given = fields.name.map { String(decoding: UnsafeRawBufferPointer(start: $0, count: strlen($0)), as: UTF8.self) }
        self.path = path
        self.name = given.flatMap { $0.isEmpty ? nil : $0 } ?? fileName
        self.table = SharedObjectPluginTable(
            context: fields.context, getPasswordCredentials: get, freeString: free,
            label: "shared-object plug-in \"\(self.name)\" (\(path))")
    }

    /// Calls the plug-in on a thread of its own, never on the Swift concurrency pool, as it may block.
    package func passwordCredentials(pluginInput: String) async throws -> DomainCredential {
        let table = self.table
        return try await withCheckedThrowingContinuation { continuation in
            BlockingWork(label: "ccgd.plugin").start {
                do throws(PluginError) {
                    continuation.resume(returning: try table.passwordCredentials(pluginInput: pluginInput))
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }

    package var description: String { "shared-object plug-in \"\(name)\" (\(path))" }
}
