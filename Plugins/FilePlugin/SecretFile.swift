import CCGPlugin
import DurableFiles
import SecretMemory
import Glibc

/// The bytes of a private file, read into wiped memory through the descriptor of a checked
/// directory, so that neither a symbolic link out of it nor a swap of the file in between is
/// followed: symlinks are followed only inside the directory, and only root's (a Kubernetes
/// Secret volume's `NAME -> ..data/NAME`).
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

    /// Whether only trusted owners can change what a directory's names point to: nobody else may
    /// write it, or the sticky bit keeps others to the names they made themselves. A Kubernetes
    /// Secret volume is a tmpfs whose root has mode 1777; the names followed in it (its key
    /// symlinks, `..data`, the timestamped directory, the file) are the kubelet's, root's, which
    /// every step checks, so a name someone else adds is never followed.
    static func keepsOthersOut(_ status: stat) -> Bool {
        status.st_mode & 0o022 == 0 || status.st_mode & S_ISVTX != 0
    }

    /// Why a directory or symlink on the way to the file is not followed (nil: it is).
    private static func trustedStep(_ step: ContainedStep) -> String? {
        guard isTrustedOwner(step.status.st_uid) else {
            let kind = step.kind == .symlink ? "a symbolic link" : "a directory"
            return "is \(kind) owned by uid \(step.status.st_uid), not root, so it is not followed; run chown -h root \(step.path)."
        }
        guard step.kind == .symlink || keepsOthersOut(step.status) else {
            return "is a directory writable by group or others (mode \(String(step.status.st_mode & 0o7777, radix: 8))); run chmod 755 \(step.path)."
        }
        return nil
    }

    /// The plug-in's error for a file that could not be opened inside its directory.
    private static func failure(_ error: ContainedPathError, _ location: Location) -> PluginError {
        let label = location.label
        switch error {
        case let .escapes(_, link, target):
            return PluginError(
                .accessDenied,
                "file plug-in: \(label): \(link) points to \(target), outside \(location.directory), and is not followed; put the credentials file itself there, or a relative link to a file inside it."
            )
        case .tooManyLinks, .refused:
            return PluginError(.accessDenied, "file plug-in: \(label): \(error)")
        case let .failed(_, path, number):
            let reason = String(cString: strerror(number))
            switch number {
            case ENOENT:
                return PluginError(.notFound, "file plug-in: \(label): cannot open \(path): \(reason); check the name in PluginInput and that the file exists.")
            case EACCES:
                return PluginError(
                    .accessDenied, "file plug-in: \(label): cannot open \(path): \(reason); make the file readable by ccgd (chown root \(path)).")
            default:
                return PluginError(.unavailable, "file plug-in: \(label): cannot open \(path): \(reason); check the file.")
            }
        }
    }

    static func read(_ location: Location, maximumSize: Int) throws(PluginError) -> SecretBuffer {
        let directory = try openDirectory(location)
        defer { close(directory) }
        let label = location.label
        let opened: ContainedFile
        do {
            opened = try ContainedPath.open(
                location.name, in: directory, directoryPath: location.directory, flags: O_RDONLY | O_NOCTTY | O_NONBLOCK,
                check: trustedStep)
        } catch {
            throw failure(error, location)
        }
        let fd = opened.descriptor, path = opened.path
        defer { close(fd) }
        // A sticky directory others may write is crossed only through root's links: anyone may
        // add a name there, a hard link to some root-owned file included, so the file itself must
        // lie in a directory only its owner writes (a Secret volume's is the kubelet's 0755 one).
        guard !location.checksDirectory || opened.holder.st_mode & 0o022 == 0 else {
            throw PluginError(
                .accessDenied,
                "file plug-in: \(label): \(path) is in \(opened.holderPath), which group or others may write (mode \(String(opened.holder.st_mode & 0o7777, radix: 8))), so anyone could have put it there; keep credentials files in a directory only root writes (chmod 700 \(opened.holderPath))."
            )
        }
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
        // 0644, a Secret volume's default mode, is refused too: the plug-in cannot tell a Secret
        // volume (readable only in ccgd's pod) from a host directory, where others could read the
        // file, and `defaultMode: 0400` in the volume costs one line; a password is never left readable by all.
        let permissions = status.st_mode & 0o777
        guard permissions == 0o600 || permissions == 0o400 else {
            let fix = path == location.path ? "run chmod 600 \(path)" : "run chmod 600 \(path) (a Kubernetes Secret volume: set defaultMode: 0400)"
            throw PluginError(.accessDenied, "file plug-in: \(label): \(path) has mode \(String(permissions, radix: 8)), not 600 or 400; \(fix).")
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
        guard keepsOthersOut(status) else {
            close(fd)
            throw PluginError(
                .accessDenied,
                "file plug-in: \(label): the credentials directory \(directory) is writable by group or others (mode \(String(status.st_mode & 0o777, radix: 8))); run chmod 700 \(directory)."
            )
        }
        return fd
    }
}
