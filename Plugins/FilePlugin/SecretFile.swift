import CCGPlugin
import SecretMemory
import Glibc

/// The bytes of a private file, read into wiped memory through the descriptor of a checked
/// directory, so that neither a symbolic link nor a swap of the file in between is followed.
enum SecretFile {
    /// A file by directory and plain name, and how messages name it.
    struct Location {
        var directory: String
        var name: String
        /// `PluginInput "…"`, or the path an operator gave.
        var label: String
        /// The directory must be owned by root (or by ccgd's user) and not writable by group or others.
        var checksDirectory: Bool
        /// What to do when the directory cannot be opened.
        var directoryFix: String

        var path: String { directory == "/" ? "/" + name : directory + "/" + name }
    }

    /// Root, or the user ccgd runs as (an unprivileged ccgd, the tests): nobody else may have written the file.
    static func isTrustedOwner(_ uid: uid_t) -> Bool { uid == 0 || uid == geteuid() }

    static func read(_ location: Location, maximumSize: Int) throws(PluginError) -> SecretBuffer {
        let directory = try openDirectory(location)
        defer { close(directory) }
        let path = location.path, label = location.label
        let fd = openat(directory, location.name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NOFOLLOW | O_NONBLOCK)
        guard fd >= 0 else {
            let number = errno
            let reason = String(cString: strerror(number))
            switch number {
            case ELOOP:
                throw PluginError(
                    .accessDenied, "file plug-in: \(label): \(path) is a symbolic link, which is not followed; put the credentials file itself there.")
            case ENOENT:
                throw PluginError(.notFound, "file plug-in: \(label): cannot open \(path): \(reason); check the name in PluginInput and that the file exists.")
            case EACCES:
                throw PluginError(.accessDenied, "file plug-in: \(label): cannot open \(path): \(reason); make the file readable by ccgd (chown root \(path)).")
            default:
                throw PluginError(.unavailable, "file plug-in: \(label): cannot open \(path): \(reason); check the file.")
            }
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            throw PluginError(.unavailable, "file plug-in: \(label): cannot inspect \(path): \(String(cString: strerror(errno))); check the file.")
        }
        guard status.st_mode & S_IFMT == S_IFREG else {
            throw PluginError(.invalidInput, "file plug-in: \(label): \(path) is not a regular file; name the credentials file itself.")
        }
        guard isTrustedOwner(status.st_uid) else {
            throw PluginError(.accessDenied, "file plug-in: \(label): \(path) is owned by uid \(status.st_uid), not root; run chown root \(path).")
        }
        let permissions = status.st_mode & 0o777
        guard permissions == 0o600 || permissions == 0o400 else {
            throw PluginError(
                .accessDenied, "file plug-in: \(label): \(path) has mode \(String(permissions, radix: 8)), not 600 or 400; run chmod 600 \(path).")
        }
        guard Int(status.st_size) <= maximumSize else {
            throw PluginError(
                .malformedSecret, "file plug-in: \(label): \(path) is \(status.st_size) bytes, more than a credentials file holds; check the name.")
        }
        let contents = SecretBuffer(capacity: Int(status.st_size) + 1)
        while contents.count <= maximumSize {
            let room = maximumSize + 1 - contents.count
            let n = contents.append(upTo: min(room, 16 * 1024)) { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n >= 0 else {
                throw PluginError(.unavailable, "file plug-in: \(label): cannot read \(path): \(String(cString: strerror(errno))); check the file.")
            }
            if n == 0 { break }
        }
        guard contents.count <= maximumSize else {
            throw PluginError(.malformedSecret, "file plug-in: \(label): \(path) grew past \(maximumSize) bytes while being read; check the name.")
        }
        return contents
    }

    private static func openDirectory(_ location: Location) throws(PluginError) -> Int32 {
        let directory = location.directory, label = location.label
        let fd = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else {
            let reason = String(cString: strerror(errno))
            let code: PluginError.Code = errno == ENOENT ? .notFound : errno == EACCES ? .accessDenied : .unavailable
            throw PluginError(code, "file plug-in: \(label): cannot open the credentials directory \(directory): \(reason); \(location.directoryFix).")
        }
        guard location.checksDirectory else { return fd }
        var status = stat()
        guard fstat(fd, &status) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw PluginError(.unavailable, "file plug-in: \(label): cannot inspect the credentials directory \(directory): \(reason); check it.")
        }
        guard isTrustedOwner(status.st_uid) else {
            close(fd)
            throw PluginError(
                .accessDenied,
                "file plug-in: \(label): the credentials directory \(directory) is owned by uid \(status.st_uid), not root; run chown root \(directory).")
        }
        guard status.st_mode & 0o022 == 0 else {
            close(fd)
            throw PluginError(
                .accessDenied,
                "file plug-in: \(label): the credentials directory \(directory) is writable by group or others (mode \(String(status.st_mode & 0o777, radix: 8))); run chmod 700 \(directory)."
            )
        }
        return fd
    }
}
