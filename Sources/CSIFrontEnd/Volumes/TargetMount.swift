import CMountAPI
import Glibc
import GRPCUnaryServer

/// The bind mount of a lease directory at a volume's target path: read-only, nosuid, nodev and
/// noexec, made from descriptors (the new mount API: what was opened and checked is what is
/// mounted), with every component below the kubelet's `pods` directory resolved without
/// following a symlink. The lease's files are replaced by rename inside the directory, so the
/// pod sees each refresh through the mount.
enum TargetMount {
    /// Mounts `leaseDirectory` at `target`, making the target directory when missing (the kubelet
    /// makes its parent). Nothing happens when something is mounted there already.
    static func attach(_ leaseDirectory: String, at target: TargetPath) throws(RPCStatus) {
        guard let parent = try openParent(of: target) else {
            throw RPCStatus(
                code: .failedPrecondition,
                message: "the directory of \(target) is missing; the kubelet makes it before it publishes a volume, so publish again once it exists.")
        }
        defer { close(parent) }
        if mkdirat(parent, "mount", 0o750) != 0 && errno != EEXIST { throw failure("create", target) }
        let mountPoint = openat(parent, "mount", ccgd_o_path | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard mountPoint >= 0 else { throw failure("open", target) }
        defer { close(mountPoint) }
        if isMountPoint(mountPoint, parent: parent) { return }
        let source = open(leaseDirectory, ccgd_o_path | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard source >= 0 else { throw failure("open the lease directory \(leaseDirectory) for", target) }
        defer { close(source) }
        let tree = ccgd_read_only_bind(source)
        guard tree >= 0 else { throw failure("make the read-only bind mount for", target) }
        defer { close(tree) }
        guard ccgd_attach_mount(tree, mountPoint) == 0 else { throw failure("mount the lease directory at", target) }
    }

    /// Whether something is mounted at `target`; false when it does not exist.
    static func isMounted(_ target: TargetPath) -> Bool {
        guard let parent = try? openParent(of: target) else { return false }
        defer { close(parent) }
        let mountPoint = openat(parent, "mount", ccgd_o_path | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard mountPoint >= 0 else { return false }
        defer { close(mountPoint) }
        return isMountPoint(mountPoint, parent: parent)
    }

    /// Unmounts whatever is mounted at `target` and removes the directory; a target that is gone
    /// (or never made) is fine, as the CSI specification asks.
    static func detach(_ target: TargetPath) throws(RPCStatus) {
        guard let parent = try openParent(of: target) else { return }
        defer { close(parent) }
        // Stacked mounts (a publish repeated by hand) come off one by one.
        for _ in 0..<8 {
            let mountPoint = openat(parent, "mount", ccgd_o_path | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
            guard mountPoint >= 0 else {
                if errno == ENOENT { return }
                throw failure("open", target)
            }
            let mounted = isMountPoint(mountPoint, parent: parent)
            close(mountPoint)
            guard mounted else { break }
            // The path was just resolved beneath the pods directory without a symlink; only
            // the kubelet (root) writes there.
            guard umount2(target.path, Int32(MNT_DETACH) | Int32(UMOUNT_NOFOLLOW)) == 0 || errno == EINVAL else { throw failure("unmount", target) }
        }
        if unlinkat(parent, "mount", AT_REMOVEDIR) != 0 && errno != ENOENT { throw failure("remove", target) }
    }

    /// `<pod uid>/volumes/kubernetes.io~csi/<volume name>`, opened beneath the pods directory;
    /// nil when it (or the pods directory) does not exist.
    private static func openParent(of target: TargetPath) throws(RPCStatus) -> Int32? {
        let pods = open(target.podsDirectory, ccgd_o_path | O_DIRECTORY | O_CLOEXEC)
        guard pods >= 0 else {
            if errno == ENOENT { return nil }
            throw failure("open the kubelet's pods directory for", target)
        }
        defer { close(pods) }
        let relativeParent = target.relative.split(separator: "/").dropLast().joined(separator: "/")
        let parent = ccgd_open_beneath(pods, relativeParent, ccgd_o_path | O_DIRECTORY, 0)
        guard parent >= 0 else {
            if errno == ENOENT { return nil }
            throw failure("open the volume directory of", target)
        }
        return parent
    }

    /// A mount point is on another mount than its parent directory.
    private static func isMountPoint(_ fd: Int32, parent: Int32) -> Bool {
        var own: UInt64 = 0, parents: UInt64 = 0
        guard ccgd_mount_id(fd, &own) == 0, ccgd_mount_id(parent, &parents) == 0 else { return false }
        return own != parents
    }

    private static func failure(_ action: String, _ target: TargetPath) -> RPCStatus {
        let reason = String(cString: strerror(errno))
        return RPCStatus(
            code: .internalError,
            message:
                "cannot \(action) \(target) (\(reason)); check that ccgd runs as root in the host's mount namespace (or with the kubelet directory mounted with Bidirectional propagation)."
        )
    }
}
