#if canImport(Glibc)
import Glibc
#endif

extension ExecutablePlugin {
    // TODO(merge): use PluginFileCheck.verify(path, kind: .executable) and map its PluginLoadError;
    // this minimal check only stands in for it until the shared-object loader lands.
    /// Refuses a program that someone other than root could have changed: ccgd runs it as root with
    /// the portable user's password in its answer.
    static func verifyExecutableFile(_ path: String, requireRootOwnership: Bool) throws(ExecutablePluginError) {
        guard path.hasPrefix("/") else { throw .relativePath(path: path) }
        var status = stat()
        guard stat(path, &status) == 0 else { throw .inaccessible(path: path, reason: errnoDescription(errno)) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .notRegularFile(path: path) }
        let permissions = UInt32(status.st_mode & 0o7777)
        guard permissions & 0o111 != 0, access(path, X_OK) == 0 else { throw .notExecutable(path: path) }
        guard permissions & 0o022 == 0 else { throw .writableByOthers(path: path, mode: permissions) }
        if requireRootOwnership, status.st_uid != 0 { throw .notOwnedByRoot(path: path, owner: status.st_uid) }

        // The directory of the path as configured, and of the file it resolves to (a symbolic link).
        var directories = [directoryName(path)]
        if let resolved = realpath(path, nil) {
            directories.append(directoryName(String(cString: resolved)))
            free(resolved)
        }
        for directory in Set(directories) {
            var directoryStatus = stat()
            guard stat(directory, &directoryStatus) == 0 else {
                throw .inaccessible(path: path, reason: errnoDescription(errno))
            }
            let directoryPermissions = UInt32(directoryStatus.st_mode & 0o7777)
            guard directoryPermissions & 0o022 == 0 else {
                throw .directoryWritableByOthers(path: path, directory: directory, mode: directoryPermissions)
            }
        }
    }
}

private func directoryName(_ path: String) -> String {
    guard let slash = path.lastIndex(of: "/"), slash != path.startIndex else { return "/" }
    return String(path[..<slash])
}
