import DurableFiles
import Glibc

/// A plug-in file as its check opened it (O_PATH, close-on-exec): ccgd runs or loads the code
/// through this descriptor, never by the path again, so what runs is what was checked.
final class CheckedPluginFile: @unchecked Sendable { // `kept` changes only before the file is shared
    let path: String
    let descriptor: Int32
    private var kept = false

    init(path: String, descriptor: Int32) {
        self.path = path
        self.descriptor = descriptor
    }

    deinit { if !kept { close(descriptor) } }

    /// The name through which the kernel reaches the checked file (the dynamic loader and exec take a path).
    var procPath: String { "/proc/self/fd/\(descriptor)" }

    /// Keeps the descriptor open for the rest of the process (a loaded library's name must keep naming it).
    func keepOpen() { kept = true }
}

/// The checks a plug-in file passes before ccgd runs its code, as ssh checks a key file: only
/// root may have written it or may replace it, or anything on its way.
enum PluginFileCheck {
    /// Opens `path` (absolute) and refuses it unless it is a regular file that neither group nor
    /// others may write, owned by root (when `requireRootOwnership`), in a directory neither
    /// group nor others may write, owned by root too, below directories that are each owned by
    /// root and not writable by group or others (sticky ones, like /tmp, may be). Symlinks are
    /// followed by the check itself, so the directory of each link and every directory on the
    /// way to its target are checked as well. `kind` names the plug-in in the messages:
    /// "shared-object" or "executable".
    static func open(_ path: String, kind: String, requireRootOwnership: Bool = true) throws(PluginLoadError) -> CheckedPluginFile {
        guard path.hasPrefix("/") else { throw .relativePath(path: path, kind: kind) }
        // The directories that hold the file (or a link to it): their owner and writers could replace it.
        var holders: [DirectoryCrossing] = []
        // A failure names the path as configured, whichever of its directories it met.
        let (descriptor, _) = try CheckedPath.open(path, failure: { PluginLoadError.uninspectable(path: path, kind: kind, errno: $1) }) {
            (crossing: DirectoryCrossing) throws(PluginLoadError) in
            if crossing.holdsLastName {
                holders.append(crossing)
                return
            }
            guard !crossing.writableByOthers(stickyIsEnough: true) else {
                throw .ancestorWritableByOthers(directory: crossing.path, path: path, kind: kind, mode: UInt32(crossing.status.st_mode & 0o7777))
            }
            guard !requireRootOwnership || crossing.status.st_uid == 0 else {
                throw .ancestorNotOwnedByRoot(directory: crossing.path, path: path, kind: kind, uid: UInt32(crossing.status.st_uid))
            }
        }
        let file = CheckedPluginFile(path: path, descriptor: descriptor)
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .uninspectable(path: path, kind: kind, errno: errno) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile(path: path, kind: kind) }
        guard status.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw .writableByOthers(path: path, kind: kind, mode: UInt32(status.st_mode & 0o7777))
        }
        guard !requireRootOwnership || status.st_uid == 0 else {
            throw .notOwnedByRoot(path: path, kind: kind, uid: UInt32(status.st_uid))
        }
        for holder in holders {
            guard !holder.writableByOthers(stickyIsEnough: false) else {
                throw .directoryWritableByOthers(directory: holder.path, path: path, kind: kind, mode: UInt32(holder.status.st_mode & 0o7777))
            }
            guard !requireRootOwnership || holder.status.st_uid == 0 else {
                throw .directoryNotOwnedByRoot(directory: holder.path, path: path, kind: kind, uid: UInt32(holder.status.st_uid))
            }
        }
        return file
    }
}
