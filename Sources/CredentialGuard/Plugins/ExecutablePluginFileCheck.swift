#if canImport(Glibc)
import Glibc
#endif

extension ExecutablePlugin {
    /// Refuses a program that someone other than root could have changed (ccgd runs it with the
    /// portable user's password in its answer), or that cannot be run.
    static func verifyExecutableFile(_ path: String, requireRootOwnership: Bool) throws(ExecutablePluginError) {
        do {
            try PluginFileCheck.verify(path, kind: "executable", requireRootOwnership: requireRootOwnership)
        } catch {
            throw .refused(error)
        }
        guard access(path, X_OK) == 0 else { throw .notExecutable(path: path) }
    }
}
