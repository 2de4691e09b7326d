import CMountAPI
import ContainerRequest
import Glibc

/// Puts a lease into a container being created: read-only bind mounts made on the host
/// (detached, from the checked lease's descriptors), then attached inside the container's mount
/// namespace onto its root file system, before the runtime pivots into it. Paths inside the image
/// are resolved with the image as root, so a symlink in the image (e.g. /var/run -> /run) cannot
/// lead a mount outside it; a missing mount point is made only on the root file system's own
/// mount, never on another one (a volume of the host's the container's user may not write).
struct ContainerMounts {
    /// The container's init process: its mount namespace is the container's.
    let pid: Int32
    /// The root file system's path inside that namespace (config.json's root.path).
    let rootPath: String

    /// Mounts the lease's directory at `target`, and its krb5.conf (when checked) at /etc/krb5.conf.
    func attach(_ lease: CheckedLease, at target: String) throws(HookFailure) {
        let directoryTree = try Self.detachedReadOnlyCopy(of: lease.directory, named: "the lease directory")
        defer { close(directoryTree) }
        let confTree = try lease.krb5Conf.map { fd throws(HookFailure) in try Self.detachedReadOnlyCopy(of: fd, named: "the lease's krb5.conf") }
        defer { if let confTree { close(confTree) } }

        let hostNamespace = open("/proc/self/ns/mnt", O_RDONLY | O_CLOEXEC)
        guard hostNamespace >= 0 else { throw HookFailure("cannot open this process's mount namespace: \(systemError(errno))") }
        defer { close(hostNamespace) }
        let containerNamespace = open("/proc/\(pid)/ns/mnt", O_RDONLY | O_CLOEXEC)
        guard containerNamespace >= 0 else {
            throw HookFailure(
                "cannot open the mount namespace of the container's process \(pid) (\(systemError(errno))); run the hook at createRuntime or prestart.")
        }
        defer { close(containerNamespace) }
        guard ccgd_enter_mount_namespace(containerNamespace) == 0 else {
            throw HookFailure("cannot enter the container's mount namespace (\(systemError(errno))); the hook must run as root, single-threaded.")
        }
        // Back on the host's before returning: the caller may still need ccgd's socket.
        defer { _ = ccgd_enter_mount_namespace(hostNamespace) }

        let root = open(rootPath, ccgd_o_path | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { throw HookFailure("cannot open the container's root file system \(rootPath): \(systemError(errno))") }
        defer { close(root) }
        let directoryTarget = try Self.directory(target, in: root)
        defer { close(directoryTarget) }
        try Self.attach(directoryTree, onto: directoryTarget, named: target)
        if let confTree {
            let confTarget = try Self.file(LeaseLayout.containerKerberosConfiguration, in: root)
            defer { close(confTarget) }
            try Self.attach(confTree, onto: confTarget, named: LeaseLayout.containerKerberosConfiguration)
        }
    }

    private static func detachedReadOnlyCopy(of fd: Int32, named name: String) throws(HookFailure) -> Int32 {
        let tree = ccgd_read_only_bind(fd)
        guard tree >= 0 else {
            throw HookFailure("cannot make a read-only bind mount of \(name): \(systemError(errno)) (the hook needs root and Linux 5.12 or newer).")
        }
        return tree
    }

    /// Refuses to make `path` in the directory `parent` unless `parent` is on the root file
    /// system's own mount: on another (a bind-mounted host directory, a volume) the root hook would
    /// write where the container's user may not, on the host.
    private static func mayCreate(_ path: String, in parent: Int32, root: Int32, alternative: String) throws(HookFailure) {
        var rootMount: UInt64 = 0, parentMount: UInt64 = 0
        guard ccgd_mount_id(root, &rootMount) == 0, ccgd_mount_id(parent, &parentMount) == 0 else {
            throw HookFailure(
                "cannot tell which mount \(path) would be made on (\(systemError(errno))); create it in the image (the hook needs Linux 5.12 or newer).")
        }
        guard rootMount == parentMount else {
            throw HookFailure(
                "\(path) is missing and its directory is another mount than the container's root file system (a volume?); the hook makes mount points only in the image's own file system: create \(path) in the image or \(alternative)."
            )
        }
    }

    private static func attach(_ tree: Int32, onto target: Int32, named path: String) throws(HookFailure) {
        guard ccgd_attach_mount(tree, target) == 0 else {
            throw HookFailure("cannot mount the lease at \(path) in the container: \(systemError(errno))")
        }
    }

    /// The directory `path` of the image, made (0755, with its parents) when missing; `alternative`
    /// says what else the user can do when it may not be made.
    private static func directory(_ path: String, in root: Int32, alternative: String = "choose another io.ccgd.mount-path") throws(HookFailure) -> Int32 {
        var resolved = ""
        var fd: Int32 = -1
        for component in path.split(separator: "/") where component != "." {
            let parent = resolved.isEmpty ? "." : resolved
            resolved += (resolved.isEmpty ? "" : "/") + component
            if fd >= 0 { close(fd) }
            fd = ccgd_open_in_root(root, resolved, ccgd_o_path | O_DIRECTORY, 0)
            if fd < 0 && errno == ENOENT {
                let parentFD = ccgd_open_in_root(root, parent, ccgd_o_path | O_DIRECTORY, 0)
                guard parentFD >= 0 else { break }
                do { try mayCreate("/" + resolved, in: parentFD, root: root, alternative: alternative) } catch {
                    close(parentFD)
                    throw error
                }
                if mkdirat(parentFD, String(component), 0o755) != 0 && errno != EEXIST {
                    let code = errno
                    close(parentFD)
                    throw HookFailure(
                        "cannot make the mount point /\(resolved) in the container's image: \(systemError(code)) (a read-only image needs it to exist, or give io.ccgd.mount-path)."
                    )
                }
                close(parentFD)
                fd = ccgd_open_in_root(root, resolved, ccgd_o_path | O_DIRECTORY, 0)
            }
            guard fd >= 0 else { break }
        }
        if path.split(separator: "/").isEmpty { fd = ccgd_open_in_root(root, ".", ccgd_o_path | O_DIRECTORY, 0) }
        guard fd >= 0 else { throw HookFailure("cannot open /\(resolved) in the container's image as a directory: \(systemError(errno))") }
        return fd
    }

    /// The file `path` of the image, made empty (0644) when missing, as a mount point for a file.
    private static func file(_ path: String, in root: Int32) throws(HookFailure) -> Int32 {
        let components = path.split(separator: "/")
        let parentPath = "/" + components.dropLast().joined(separator: "/")
        let parent = try directory(parentPath, in: root, alternative: "give io.ccgd.krb5conf=none")
        defer { close(parent) }
        let relative = components.joined(separator: "/")
        var fd = ccgd_open_in_root(root, relative, ccgd_o_path, 0)
        if fd < 0 && errno == ENOENT {
            try mayCreate(path, in: parent, root: root, alternative: "give io.ccgd.krb5conf=none")
            let created = ccgd_open_in_root(root, relative, O_CREAT | O_WRONLY | O_NOFOLLOW, 0o644)
            guard created >= 0 else {
                throw HookFailure(
                    "cannot make \(path) in the container's image: \(systemError(errno)) (a read-only image needs it to exist, or give io.ccgd.krb5conf=none).")
            }
            close(created)
            fd = ccgd_open_in_root(root, relative, ccgd_o_path, 0)
        }
        guard fd >= 0 else { throw HookFailure("cannot open \(path) in the container's image: \(systemError(errno))") }
        var status = stat()
        guard fstat(fd, &status) == 0, status.st_mode & S_IFMT == S_IFREG else {
            close(fd)
            throw HookFailure("\(path) in the container's image is not a regular file; give io.ccgd.krb5conf=none to leave it alone.")
        }
        return fd
    }
}
