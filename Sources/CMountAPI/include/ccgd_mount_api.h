#ifndef CCGD_MOUNT_API_H
#define CCGD_MOUNT_API_H

#include <sys/types.h>

/// The kernel's path resolution and mount calls that glibc 2.36 does not wrap (openat2, open_tree,
/// mount_setattr, move_mount; Linux 5.12 or newer), for ccgd-oci-hook. Each returns what the
/// system call returns (-1 with errno set on failure).

/// O_PATH, which Swift's Glibc module does not export.
extern const int ccgd_o_path;

/// openat2 with RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS: `path` is resolved as if `root` were
/// `/`, so a symlink in a container image cannot lead outside the image.
int ccgd_open_in_root(int root, const char *path, int flags, mode_t mode);

/// A detached copy of the mount at `path` (open_tree with OPEN_TREE_CLONE; a symlink is refused), made read-only,
/// nosuid, nodev and noexec: attached somewhere else with ccgd_attach_mount, it is never writable.
int ccgd_read_only_bind(const char *path);

/// Attaches the detached mount `tree` onto the file or directory `target` (move_mount).
int ccgd_attach_mount(int tree, int target);

/// Joins the mount namespace `namespace_fd` (setns with CLONE_NEWNS).
int ccgd_enter_mount_namespace(int namespace_fd);

#endif
