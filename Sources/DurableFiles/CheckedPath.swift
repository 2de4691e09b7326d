import Glibc

/// O_PATH, which Swift's Glibc module does not export (the same value on every Linux architecture Swift runs on).
let openPathOnly: Int32 = 0o10_000_000

/// A directory a `CheckedPath` walk crossed, as its check sees it.
package struct DirectoryCrossing {
    /// The directory's path as the walk reached it (symlinks resolved), for messages.
    package let path: String
    package let status: stat
    /// True for the directory that holds the walk's last name (the file, or a symlink to it):
    /// whoever may write it may replace what the path names.
    package let holdsLastName: Bool

    /// Anyone but the owner may add, rename or remove its entries: group or others may write
    /// it and, unless `stickyIsEnough` is false, the sticky bit does not keep them to their own entries.
    package func writableByOthers(stickyIsEnough: Bool) -> Bool {
        status.st_mode & (S_IWGRP | S_IWOTH) != 0 && !(stickyIsEnough && status.st_mode & S_ISVTX != 0)
    }
}

/// Opens a path the way the kernel resolves it, one name at a time from `/` through descriptors,
/// following symlinks itself, and hands every directory it crosses to a check before it looks
/// inside: what the check passed is what was opened, and nobody can swap a directory of the path
/// between the check and the use (the caller uses the descriptor, never the path again).
package enum CheckedPath {
    /// How many symlinks one walk follows, as the kernel's limit.
    package static let symlinkLimit = 40

    /// The last name of `path` opened `O_PATH | O_NOFOLLOW` (close it), and the path the walk
    /// resolved. A symlink as the last name is followed when `followLastSymlink`, else returned
    /// as it is (the caller's fstat sees a symlink). `failure` turns a failed call on a path into
    /// the caller's error; `check` sees each directory crossed, `/` first.
    package static func open<Failure: Error>(
        _ path: String, followLastSymlink: Bool = true,
        failure: (_ path: String, _ errno: Int32) -> Failure,
        check: (DirectoryCrossing) throws(Failure) -> Void
    ) throws(Failure) -> (descriptor: Int32, resolved: String) {
        guard path.hasPrefix("/") else { throw failure(path, EINVAL) }
        var pending = names(of: path)
        let root = Glibc.open("/", openPathOnly | O_DIRECTORY | O_CLOEXEC)
        guard root >= 0 else { throw failure("/", errno) }
        var stack: [(descriptor: Int32, path: String)] = [(root, "/")]
        defer { for entry in stack { close(entry.descriptor) } }
        try cross(root, "/", holdsLastName: pending.count == 1, failure: failure, check: check)
        var links = 0
        while !pending.isEmpty {
            let name = pending.removeFirst()
            if name == ".." {
                if stack.count > 1 { close(stack.removeLast().descriptor) }
                continue
            }
            let parent = stack[stack.count - 1]
            let childPath = (parent.path == "/" ? "" : parent.path) + "/" + name
            let child = openat(parent.descriptor, name, openPathOnly | O_NOFOLLOW | O_CLOEXEC)
            guard child >= 0 else { throw failure(childPath, errno) }
            var status = stat()
            guard fstat(child, &status) == 0 else {
                let code = errno
                close(child)
                throw failure(childPath, code)
            }
            if status.st_mode & S_IFMT == S_IFLNK && (!pending.isEmpty || followLastSymlink) {
                defer { close(child) }
                links += 1
                guard links <= symlinkLimit else { throw failure(path, ELOOP) }
                let target = try linkTarget(child, childPath, failure: failure)
                pending = names(of: target) + pending
                if target.hasPrefix("/") {
                    while stack.count > 1 { close(stack.removeLast().descriptor) }
                    try cross(root, "/", holdsLastName: pending.count == 1, failure: failure, check: check)
                }
                continue
            }
            if pending.isEmpty { return (child, childPath) }
            guard status.st_mode & S_IFMT == S_IFDIR else {
                close(child)
                throw failure(childPath, ENOTDIR)
            }
            stack.append((child, childPath))
            try cross(child, childPath, holdsLastName: pending.count == 1, failure: failure, check: check)
        }
        // The path named a directory already on the stack ("/", or one ending in "..").
        let top = stack[stack.count - 1]
        let copy = fcntl(top.descriptor, F_DUPFD_CLOEXEC, 3)
        guard copy >= 0 else { throw failure(top.path, errno) }
        return (copy, top.path)
    }

    private static func cross<Failure: Error>(
        _ descriptor: Int32, _ path: String, holdsLastName: Bool,
        failure: (String, Int32) -> Failure, check: (DirectoryCrossing) throws(Failure) -> Void
    ) throws(Failure) {
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw failure(path, errno) }
        try check(DirectoryCrossing(path: path, status: status, holdsLastName: holdsLastName))
    }

    /// The target of the symlink open as `descriptor` (read through it: not swapped meanwhile).
    private static func linkTarget<Failure: Error>(_ descriptor: Int32, _ path: String, failure: (String, Int32) -> Failure) throws(Failure) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(descriptor, "", &buffer, buffer.count - 1)
        guard count >= 0 else { throw failure(path, errno) }
        guard count > 0 else { throw failure(path, ENOENT) }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The names of a path, without empty ones and ".".
    private static func names(of path: String) -> [String] {
        path.split(separator: "/").map(String.init).filter { $0 != "." }
    }
}
