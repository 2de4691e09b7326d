#ifndef CCGD_MOUNT_API_H
#define CCGD_MOUNT_API_H

#include <sys/types.h>

/// The kernel's path resolution and mount calls that glibc 2.36 does not wrap (openat2, open_tree,
/// mount_setattr, move_mount; Linux 5.12 or newer), and statx's mount id, for ccgd-oci-hook. Each returns what the
/// system call returns (-1 with errno set on failure).

/// O_PATH, which Swift's Glibc module does not export.
extern const int ccgd_o_path;

/// openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: `path` is resolved as if `root` were
/// `/`, so a symlink in a container image cannot lead outside the image.
int ccgd_open_in_root(int root, const char *path, int flags, mode_t mode);

/// openat2 with RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS: `path` stays
/// below `directory` and no symlink on the way is followed (a kubelet volume path for ccgd's CSI front end).
int ccgd_open_beneath(int directory, const char *path, int flags, mode_t mode);

/// A detached copy of the file or directory open as `fd` (open_tree with OPEN_TREE_CLONE and AT_EMPTY_PATH:
/// what was opened and checked, not a path looked up again), made read-only, nosuid, nodev and noexec:
/// attached somewhere else with ccgd_attach_mount, it is never writable.
int ccgd_read_only_bind(int fd);

/// The id of the mount `fd` is on (statx STATX_MNT_ID, Linux 5.8), in `*id`.
int ccgd_mount_id(int fd, unsigned long long *id);

/// Attaches the detached mount `tree` onto the file or directory `target` (move_mount).
int ccgd_attach_mount(int tree, int target);

/// Joins the mount namespace `namespace_fd` (setns with CLONE_NEWNS).
int ccgd_enter_mount_namespace(int namespace_fd);

#endif
