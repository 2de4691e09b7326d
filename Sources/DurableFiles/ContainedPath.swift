import Glibc

/// A name a `ContainedPath` walk crosses inside its directory, as its check sees it.
package struct ContainedStep {
    package enum Kind: Sendable { case directory, symlink }

    package let kind: Kind
    /// The full path of the name as the walk reached it, for messages.
    package let path: String
    /// The directory or the symlink itself (never what a symlink points to).
    package let status: stat
}

/// A file `ContainedPath` opened.
package struct ContainedFile {
    /// Open with the caller's flags; the caller closes it.
    package let descriptor: Int32
    /// The full path the walk resolved, for messages.
    package let path: String
    /// The directory that holds the file (the one the walk began in, or one it went into), as
    /// fstat saw it: whoever may write it may have put the file there, a hard link included.
    package let holder: stat
    package let holderPath: String
}

/// Why a name could not be opened inside its directory.
package enum ContainedPathError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A symlink (or the name itself, with `..`) leads out of the directory: an absolute target,
    /// or more `..` than the walk went down.
    case escapes(directory: String, link: String, target: String)
    /// More symlinks than the kernel would follow for one path.
    case tooManyLinks(path: String)
    /// The caller's check refused a directory or a symlink on the way.
    case refused(path: String, reason: String)
    /// A call failed on `path` (ENOENT: it does not exist).
    case failed(operation: String, path: String, errno: Int32)

    package var description: String {
        switch self {
        case let .escapes(directory, link, target):
            "\(link) points to \(target), outside \(directory); a symbolic link is followed only to a file inside that directory (a relative link such as Kubernetes' NAME -> ..data/NAME), so put the file itself there or link to one inside."
        case let .tooManyLinks(path):
            "\(path) leads through more than \(ContainedPath.symlinkLimit) symbolic links; link to the file directly."
        case let .refused(path, reason):
            "\(path) \(reason)"
        case let .failed(operation, path, errno):
            "cannot \(operation) \(path): \(String(cString: strerror(errno)))."
        }
    }
}

/// Opens a name inside a directory the way openat2(2) with `RESOLVE_BENEATH` would, but one name at
/// a time through descriptors, `O_NOFOLLOW` everywhere, symlinks read and followed by the walk
/// itself, and only while they stay inside: unlike openat2, the walk shows every directory and
/// symlink it crosses to the caller's check (whose they are: in a sticky Secret volume anyone may
/// plant a link), which the kernel's resolution cannot. An absolute symlink is refused
/// even when its target lies inside (so is RESOLVE_BENEATH's); `..` may climb back only as far as
/// the walk went down. This is how a Kubernetes ConfigMap or Secret volume is read: each key is a
/// symlink `NAME -> ..data/NAME`, `..data -> ..2026_12_07_16_00_00.123456789`, the files inside it.
package enum ContainedPath {
    /// How many symlinks one walk follows, as the kernel's limit.
    package static let symlinkLimit = 40
    /// Walks begun again when a name vanished or changed under a walk that followed a symlink: the
    /// kubelet swaps `..data` and then removes the directory it pointed to.
    static let attempts = 3

    /// `relative` (a name, or names separated by `/`) inside the directory open as `directory`
    /// (`directoryPath` names it in messages), opened with `flags` (`O_NOFOLLOW` and `O_CLOEXEC`
    /// added: the last name is never a symlink once followed); close the descriptor. `check` sees
    /// every directory below `directory` and every symlink the walk crosses, and returns why it is
    /// refused (nil: it passes).
    package static func open(
        _ relative: String, in directory: Int32, directoryPath: String, flags: Int32,
        check: (ContainedStep) -> String? = { _ in nil }
    ) throws(ContainedPathError) -> ContainedFile {
        var attempt = 1
        while true {
            do {
                return try walk(relative, in: directory, directoryPath: directoryPath, flags: flags, check: check)
            } catch {
                guard error.vanished, attempt < attempts else { throw error.error }
                attempt += 1
            }
        }
    }

    /// A walk's failure, and whether a second walk may not meet it: a name gone or replaced after
    /// a symlink led to it.
    private struct WalkFailure: Error {
        let error: ContainedPathError
        var vanished = false
    }

    private static func walk(
        _ relative: String, in base: Int32, directoryPath: String, flags: Int32, check: (ContainedStep) -> String?
    ) throws(WalkFailure) -> ContainedFile {
        let top = directoryPath == "/" ? "" : directoryPath
        if relative.hasPrefix("/") { throw WalkFailure(error: .escapes(directory: directoryPath, link: relative, target: relative)) }
        var pending = names(of: relative)
        // The directories gone down into; the base (index 0) is the caller's and stays open.
        var stack: [(descriptor: Int32, path: String)] = [(base, top)]
        defer { for entry in stack.dropFirst() { close(entry.descriptor) } }
        var links = 0
        var lastLink: (path: String, target: String)?
        /// A failure after a symlink may be the kubelet's swap: worth a second walk.
        func failed(_ operation: String, _ path: String, _ number: Int32) -> WalkFailure {
            WalkFailure(
                error: .failed(operation: operation, path: path, errno: number),
                vanished: links > 0 && (number == ENOENT || number == ELOOP || number == ENOTDIR))
        }
        func refusal(_ error: ContainedPathError) -> WalkFailure { WalkFailure(error: error) }
        while !pending.isEmpty {
            let name = pending.removeFirst()
            if name == ".." {
                guard stack.count > 1 else {
                    throw refusal(
                        .escapes(directory: directoryPath, link: lastLink?.path ?? top + "/" + relative, target: lastLink?.target ?? relative))
                }
                close(stack.removeLast().descriptor)
                continue
            }
            let parent = stack[stack.count - 1]
            let path = parent.path + "/" + name
            let child = openat(parent.descriptor, name, openPathOnly | O_NOFOLLOW | O_CLOEXEC)
            guard child >= 0 else { throw failed("open", path, errno) }
            var status = stat()
            guard fstat(child, &status) == 0 else {
                let number = errno
                close(child)
                throw failed("inspect", path, number)
            }
            switch status.st_mode & S_IFMT {
            case S_IFLNK:
                defer { close(child) }
                links += 1
                guard links <= symlinkLimit else { throw refusal(.tooManyLinks(path: top + "/" + relative)) }
                if let reason = check(ContainedStep(kind: .symlink, path: path, status: status)) {
                    throw refusal(.refused(path: path, reason: reason))
                }
                let target: String
                do { target = try linkTarget(child, path) } catch { throw refusal(error) }
                guard !target.hasPrefix("/") else { throw refusal(.escapes(directory: directoryPath, link: path, target: target)) }
                lastLink = (path, target)
                pending = names(of: target) + pending
            case S_IFDIR where !pending.isEmpty:
                if let reason = check(ContainedStep(kind: .directory, path: path, status: status)) {
                    close(child)
                    throw refusal(.refused(path: path, reason: reason))
                }
                stack.append((child, path))
            default:
                close(child)
                guard pending.isEmpty else { throw failed("open", path, ENOTDIR) }
                // Opened again for real; the same file, or it was swapped after it was looked at.
                let file = openat(parent.descriptor, name, flags | O_NOFOLLOW | O_CLOEXEC)
                guard file >= 0 else { throw failed("open", path, errno) }
                var opened = stat(), holder = stat()
                guard fstat(file, &opened) == 0, opened.st_dev == status.st_dev, opened.st_ino == status.st_ino,
                    fstat(parent.descriptor, &holder) == 0
                else {
                    close(file)
                    throw failed("open", path, ENOENT)
                }
                return ContainedFile(descriptor: file, path: path, holder: holder, holderPath: parent.path.isEmpty ? "/" : parent.path)
            }
        }
        // The name ends in a directory already on the stack (".", or one ending in "..").
        let last = stack[stack.count - 1], lastPath = last.path.isEmpty ? "/" : last.path
        let file = openat(last.descriptor, ".", flags | O_CLOEXEC)
        guard file >= 0 else { throw failed("open", lastPath, errno) }
        var holder = stat()
        _ = fstat(file, &holder)
        return ContainedFile(descriptor: file, path: lastPath, holder: holder, holderPath: lastPath)
    }

    /// The target of the symlink open as `descriptor` (read through it: not swapped meanwhile).
    private static func linkTarget(_ descriptor: Int32, _ path: String) throws(ContainedPathError) -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        let count = readlinkat(descriptor, "", &buffer, buffer.count - 1)
        guard count > 0 else { throw .failed(operation: "read the symbolic link", path: path, errno: count < 0 ? errno : ENOENT) }
        return String(decoding: buffer[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// The names of a path, without empty ones and ".".
    private static func names(of path: String) -> [String] {
        path.split(separator: "/").map(String.init).filter { $0 != "." }
    }
}
