#if canImport(Glibc)
import Glibc
#endif

/// The checks a plug-in file passes before ccgd runs its code, as ssh checks a key file: only
/// root may have written it or may replace it.
enum PluginFileCheck {
    /// Refuses `path` unless it is an absolute path to a regular file that neither group nor others
    /// may write, in a directory neither group nor others may write, both owned by root (when
    /// `requireRootOwnership`). A symbolic link is followed, and the link's directory is checked too.
    /// `kind` names the plug-in in the messages: "shared-object" or "executable".
    static func verify(_ path: String, kind: String, requireRootOwnership: Bool = true) throws(PluginLoadError) {
        guard path.hasPrefix("/") else { throw .relativePath(path: path, kind: kind) }
        let file = try status(of: path, kind: kind)
        guard file.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile(path: path, kind: kind) }
        guard file.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
            throw .writableByOthers(path: path, kind: kind, mode: UInt32(file.st_mode & 0o7777))
        }
        guard !requireRootOwnership || file.st_uid == 0 else {
            throw .notOwnedByRoot(path: path, kind: kind, uid: UInt32(file.st_uid))
        }
        var directories = [directory(of: path)]
        if let resolved = realPath(path), directory(of: resolved) != directories[0] {
            directories.append(directory(of: resolved))
        }
        for directory in directories {
            let folder = try status(of: directory, kind: kind)
            guard folder.st_mode & (S_IWGRP | S_IWOTH) == 0 else {
                throw .directoryWritableByOthers(directory: directory, path: path, kind: kind, mode: UInt32(folder.st_mode & 0o7777))
            }
            guard !requireRootOwnership || folder.st_uid == 0 else {
                throw .directoryNotOwnedByRoot(directory: directory, path: path, kind: kind, uid: UInt32(folder.st_uid))
            }
        }
    }

    private static func status(of file: String, kind: String) throws(PluginLoadError) -> stat {
        var info = stat()
        guard stat(file, &info) == 0 else { throw .uninspectable(path: file, kind: kind, errno: errno) }
        return info
    }

    /// The part of an absolute path before its last component ("/" for "/name").
    private static func directory(of path: String) -> String {
        let trimmed = path.count > 1 && path.hasSuffix("/") ? String(path.dropLast()) : path
        guard let slash = trimmed.lastIndex(of: "/"), slash != trimmed.startIndex else { return "/" }
        return String(trimmed[..<slash])
    }

    private static func realPath(_ path: String) -> String? {
        guard let resolved = realpath(path, nil) else { return nil }
        defer { free(resolved) }
        return String(cString: resolved)
    }
}
