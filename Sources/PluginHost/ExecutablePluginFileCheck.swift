import Glibc

extension ExecutablePlugin {
    /// Opens the program, refusing one that someone other than root could have changed (ccgd runs
    /// it with the portable user's password in its answer) or that cannot be run; the run goes
    /// through the descriptor returned, so the file run is the file checked.
    static func openExecutableFile(_ path: String, requireRootOwnership: Bool) throws(ExecutablePluginError) -> CheckedPluginFile {
        let file: CheckedPluginFile
        do {
            file = try PluginFileCheck.open(path, kind: "executable", requireRootOwnership: requireRootOwnership)
        } catch {
            throw .refused(error)
        }
        guard access(file.procPath, X_OK) == 0 else { throw .notExecutable(path: path) }
        return file
    }
}
