import Glibc
import Observability

/// Why a plug-in file (a shared object or an executable) was not loaded. `kind` is how the
/// messages name the plug-in: "shared-object" or "executable".
package enum PluginLoadError: CodedError, Sendable, Equatable {
    case relativePath(path: String, kind: String)
    case uninspectable(path: String, kind: String, errno: Int32)
    case notRegularFile(path: String, kind: String)
    /// `mode` holds the permission bits (`st_mode & 0o7777`).
    case writableByOthers(path: String, kind: String, mode: UInt32)
    case notOwnedByRoot(path: String, kind: String, uid: UInt32)
    case directoryWritableByOthers(directory: String, path: String, kind: String, mode: UInt32)
    case directoryNotOwnedByRoot(directory: String, path: String, kind: String, uid: UInt32)
    /// A directory further up the path than the plug-in's own.
    case ancestorWritableByOthers(directory: String, path: String, kind: String, mode: UInt32)
    case ancestorNotOwnedByRoot(directory: String, path: String, kind: String, uid: UInt32)
    /// `dlopen` failed; `reason` is `dlerror()`.
    case notLoadable(path: String, reason: String)
    case missingEntryPoint(path: String)
    /// `ccgd_plugin_entry` returned NULL.
    case refusedHostVersion(path: String, hostVersion: UInt32)
    case unsupportedVersion(path: String, version: UInt32, hostVersion: UInt32)
    case tableTooSmall(path: String, size: UInt32, expected: UInt32)
    case missingFunction(path: String, function: String)

    package var code: ErrorCode { .pluginFailed }

    package var description: String {
        let rebuild = "rebuild it against ccgd_plugin.h of this ccgd"
        switch self {
        case let .relativePath(path, kind):
            return "\(kind) plug-in path \(path) is not absolute; give the full path of the plug-in."
        case let .uninspectable(path, kind, errno):
            return "cannot inspect \(kind) plug-in \(path): \(String(cString: strerror(errno))); check the path and that ccgd may read it."
        case let .notRegularFile(path, kind):
            return "\(kind) plug-in \(path) is not a regular file; give the path of the plug-in file itself."
        case let .writableByOthers(path, kind, mode):
            return "\(kind) plug-in \(path) is writable by group or others (mode \(Self.octal(mode))); run chmod go-w \(path)."
        case let .notOwnedByRoot(path, kind, uid):
            return "\(kind) plug-in \(path) is owned by uid \(uid), not root; run chown root \(path) if you trust it."
        case let .directoryWritableByOthers(directory, path, kind, mode):
            return
                "the directory \(directory) of \(kind) plug-in \(path) is writable by group or others (mode \(Self.octal(mode))); move the plug-in to a directory only root may write to."
        case let .directoryNotOwnedByRoot(directory, path, kind, uid):
            return
                "the directory \(directory) of \(kind) plug-in \(path) is owned by uid \(uid), not root; move the plug-in to a directory only root may write to."
        case let .ancestorWritableByOthers(directory, path, kind, mode):
            return
                "the directory \(directory) above \(kind) plug-in \(path) is writable by group or others without the sticky bit (mode \(Self.octal(mode))), so anyone could swap what lies below it; run chmod go-w \(directory), or keep plug-ins under directories only root may write to."
        case let .ancestorNotOwnedByRoot(directory, path, kind, uid):
            return
                "the directory \(directory) above \(kind) plug-in \(path) belongs to uid \(uid), who could swap what lies below it; keep plug-ins under directories owned by root."
        case let .notLoadable(path, reason):
            // dlerror() starts with the path more often than not: say it once.
            let detail = reason.hasPrefix(path + ": ") ? String(reason.dropFirst(path.count + 2)) : reason
            return "cannot load shared-object plug-in \(path): \(detail); check that it is a shared object built for this system, with its libraries installed."
        case let .missingEntryPoint(path):
            return
                "shared-object plug-in \(path) does not export ccgd_plugin_entry; define it as ccgd_plugin.h says, or export it with CCGPlugin's PluginExport."
        case let .refusedHostVersion(path, hostVersion):
            return
                "shared-object plug-in \(path) refused ccgd's plug-in ABI version \(hostVersion) (ccgd_plugin_entry returned NULL); \(rebuild) or use a plug-in made for it."
        case let .unsupportedVersion(path, version, hostVersion):
            return "shared-object plug-in \(path) speaks plug-in ABI version \(version), but ccgd speaks version \(hostVersion); \(rebuild)."
        case let .tableTooSmall(path, size, expected):
            return "shared-object plug-in \(path) returned a plug-in table of \(size) bytes, smaller than the \(expected) bytes of ABI version 1; \(rebuild)."
        case let .missingFunction(path, function):
            return "shared-object plug-in \(path) returned a plug-in table without \(function); set every function of struct ccgd_plugin_v1."
        }
    }

    private static func octal(_ mode: UInt32) -> String { String(mode, radix: 8) }
}
