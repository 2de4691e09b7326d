import Glibc
import SystemPackage

/// How much of a tree a removal walks before it gives up: its owner may have built it to
/// exhaust the remover, or may keep adding to it.
package struct RemovalLimits: Sendable {
    package var depth: Int
    package var entries: Int

    package init(depth: Int = 16, entries: Int = 10_000) {
        self.depth = depth
        self.entries = entries
    }
}

extension DirectoryHandle {
    /// Removes the directory at `path` and everything in it, through descriptors: a symlink
    /// anywhere (at `path` too) is removed, never followed; subdirectories of any mode are
    /// emptied. Nothing at `path` is fine. Beyond `limits`, fails with `treeTooLarge`.
    package static func removeTree(at path: String, limits: RemovalLimits = RemovalLimits()) throws {
        let directory: DirectoryHandle
        do {
            directory = try DirectoryHandle(opening: path)
        } catch DirectoryHandleError.notADirectory {
            guard unlink(path) == 0 || errno == ENOENT else { throw FileSystemError("remove", path: path, errno: errno) }
            return
        } catch let error as FileSystemError where error.errno == ENOENT {
            return
        }
        var budget = limits.entries
        try directory.removeContents(depth: 1, budget: &budget, limits: limits, root: path)
        guard rmdir(path) == 0 || errno == ENOENT else { throw FileSystemError("remove", path: path, errno: errno) }
    }

    /// Removes the entry `name` of this directory, a whole subtree if it is one.
    package func remove(_ name: String, limits: RemovalLimits = RemovalLimits()) throws {
        try Self.check(name, in: path)
        var budget = limits.entries
        try removeEntry(Array(name.utf8CString), depth: 1, budget: &budget, limits: limits, root: path + "/" + name)
    }

    /// The names in this directory (not `.` and `..`), or nil when there are more than `limit`.
    package func names(upTo limit: Int = 100_000) throws -> [String]? {
        try entryNames(upTo: limit)?.map(Self.printable)
    }

    /// Opens the directory `name` in this one; a symlink or anything else there is refused, not followed.
    package func subdirectory(_ name: String) throws -> DirectoryHandle {
        try Self.check(name, in: path)
        let child = openat(descriptor.rawValue, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard child >= 0 else {
            if errno == ELOOP || errno == ENOTDIR { throw DirectoryHandleError.notADirectory(path: path + "/" + name) }
            throw FileSystemError("open the directory", path: path + "/" + name, errno: errno)
        }
        return DirectoryHandle(descriptor: child, path: path + "/" + name)
    }

    /// Removes the directory `name` in this one if it is empty; answers whether it is gone.
    @discardableResult
    package func removeIfEmpty(_ name: String) -> Bool {
        (try? Self.check(name, in: path)) != nil && (unlinkat(descriptor.rawValue, name, AT_REMOVEDIR) == 0 || errno == ENOENT)
    }

    /// Removes everything in this directory, pass after pass until it stays empty.
    private func removeContents(depth: Int, budget: inout Int, limits: RemovalLimits, root: String) throws {
        while true {
            guard let names = try entryNames(upTo: budget) else {
                throw DirectoryHandleError.treeTooLarge(path: root, depth: limits.depth, entries: limits.entries)
            }
            if names.isEmpty { return }
            budget -= names.count
            for name in names { try removeEntry(name, depth: depth, budget: &budget, limits: limits, root: root) }
        }
    }

    /// `name` is NUL-terminated bytes: an owner's name need not be UTF-8.
    private func removeEntry(_ name: [CChar], depth: Int, budget: inout Int, limits: RemovalLimits, root: String) throws {
        // unlinkat without AT_REMOVEDIR removes a symlink itself, whatever it points to.
        if unlinkat(descriptor.rawValue, name, 0) == 0 || errno == ENOENT { return }
        guard errno == EISDIR else { throw FileSystemError("remove", path: path + "/" + Self.printable(name), errno: errno) }
        guard depth < limits.depth else {
            throw DirectoryHandleError.treeTooLarge(path: root, depth: limits.depth, entries: limits.entries)
        }
        // Root passes a mode 000 directory's permission checks (CAP_DAC_OVERRIDE).
        let child = openat(descriptor.rawValue, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard child >= 0 else {
            // Swapped for a symlink or a file since the unlink: that one goes without a walk.
            if (errno == ELOOP || errno == ENOTDIR) && (unlinkat(descriptor.rawValue, name, 0) == 0 || errno == ENOENT) { return }
            throw FileSystemError("open the directory", path: path + "/" + Self.printable(name), errno: errno)
        }
        let subdirectory = DirectoryHandle(descriptor: child, path: path + "/" + Self.printable(name))
        try subdirectory.removeContents(depth: depth + 1, budget: &budget, limits: limits, root: root)
        guard unlinkat(descriptor.rawValue, name, AT_REMOVEDIR) == 0 || errno == ENOENT else {
            throw FileSystemError("remove", path: subdirectory.path, errno: errno)
        }
    }

    /// The names in the directory other than `.` and `..`, or nil when there are more than `limit`.
    private func entryNames(upTo limit: Int) throws -> [[CChar]]? {
        let copy = dup(descriptor.rawValue)
        guard copy >= 0, let stream = fdopendir(copy) else {
            let failure = errno
            if copy >= 0 { close(copy) }
            throw FileSystemError("list", path: path, errno: failure)
        }
        defer { closedir(stream) }
        // The copy shares the descriptor's offset: start from the top on every pass.
        rewinddir(stream)
        var names: [[CChar]] = []
        while true {
            errno = 0
            guard let entry = readdir(stream) else {
                if errno != 0 { throw FileSystemError("list", path: path, errno: errno) }
                return names
            }
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                raw.prefix { $0 != 0 }.map { CChar(bitPattern: $0) } + [0]
            }
            if name == [46, 0] || name == [46, 46, 0] { continue }
            if names.count == limit { return nil }
            names.append(name)
        }
    }

    private static func printable(_ name: [CChar]) -> String {
        String(decoding: name.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
