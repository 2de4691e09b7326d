import Glibc
import Synchronization

/// Says when the entries of a directory change — a file written, added, removed, renamed or given
/// another mode — without anyone sending a signal: an operator's edit on a host, and the update of
/// a Kubernetes ConfigMap volume (the kubelet writes a new `..2026_…` directory, renames a new
/// `..data` symlink over the old one, then removes the old directory). inotify, read on a thread
/// of its own; a burst of events is one change, told `settle` after its last event (and at the
/// latest ten `settle`s after its first, should events never stop).
///
/// The directory may be missing at start, removed, or replaced by a rename: its parent is watched
/// for its name, and the directory's own watch is set again when the name comes back (a missing
/// parent is tried again every half second). Not recursive: a ConfigMap's files live in the
/// timestamped directory, but every update renames `..data`, an entry of the directory itself.
package final class DirectoryWatch: Sendable {
    /// The directory watched, as given.
    package let path: String
    private let shared: Shared

    /// Starts watching `path`; `changed` is called on the watch's thread once per settled burst.
    package init(path: String, settle: Duration = .seconds(1), changed: @escaping @Sendable () -> Void) throws(DirectoryWatchError) {
        self.path = path
        let descriptor = inotify_init1(Int32(truncatingIfNeeded: IN_NONBLOCK | IN_CLOEXEC))
        guard descriptor >= 0 else { throw DirectoryWatchError(path: path, call: "inotify_init1", errno: errno) }
        let shared = Shared(descriptor: descriptor, path: path)
        self.shared = shared
        // Armed before init returns: a change made as soon as the watch exists is seen.
        var watches = Watches(path: path)
        _ = watches.arm(descriptor)
        shared.watchingDirectory.store(watches.directory != nil, ordering: .releasing)
        let armed = watches
        BlockingWork(label: "ccgd.directory-watch").start {
            Self.run(shared, watches: armed, settle: settle, changed: changed)
        }
    }

    /// Stops the watch (within half a second); `changed` is not called after the thread notices.
    package func close() {
        shared.stopped.store(true, ordering: .releasing)
    }

    deinit { close() }

    /// Whether the directory itself is watched now (false while it is missing); for tests.
    package var watchesDirectory: Bool { shared.watchingDirectory.load(ordering: .acquiring) }

    /// What the watch's thread shares with the owner: the descriptor (closed when both are done with it) and the stop flag.
    private final class Shared: Sendable {
        let descriptor: Int32
        let path: String
        let stopped = Atomic(false)
        let watchingDirectory = Atomic(false)

        init(descriptor: Int32, path: String) {
            self.descriptor = descriptor
            self.path = path
        }

        deinit { Glibc.close(descriptor) }
    }

    /// The thread's loop: events read, bursts settled, `changed` called.
    private static func run(_ shared: Shared, watches: Watches, settle: Duration, changed: @Sendable () -> Void) {
        var watches = watches
        let clock = ContinuousClock()
        var burst: (first: ContinuousClock.Instant, last: ContinuousClock.Instant)?
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while !shared.stopped.load(ordering: .acquiring) {
            if watches.arm(shared.descriptor) { burst = burst ?? (clock.now, clock.now) }
            shared.watchingDirectory.store(watches.directory != nil, ordering: .releasing)
            var wait = Duration.milliseconds(500)
            if let burst {
                let due = min(burst.last.advanced(by: settle), burst.first.advanced(by: settle * 10))
                wait = max(.zero, min(wait, clock.now.duration(to: due)))
            }
            var ready = pollfd(fd: shared.descriptor, events: Int16(POLLIN), revents: 0)
            let milliseconds = Int32(clamping: wait.components.seconds * 1000 + wait.components.attoseconds / 1_000_000_000_000_000)
            if poll(&ready, 1, milliseconds) > 0, watches.read(shared.descriptor, into: &buffer) {
                burst = (burst?.first ?? clock.now, clock.now)
            }
            if let current = burst, clock.now >= min(current.last.advanced(by: settle), current.first.advanced(by: settle * 10)) {
                burst = nil
                if !shared.stopped.load(ordering: .acquiring) { changed() }
            }
        }
    }
}

/// The two inotify watches of a `DirectoryWatch` and what their events mean; the watch's thread's own.
private struct Watches {
    /// What changes the directory's entries (a ConfigMap's `..data` rename is IN_MOVED_TO).
    static let directoryEvents = UInt32(
        truncatingIfNeeded: IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE | IN_ATTRIB | IN_DELETE_SELF | IN_MOVE_SELF
            | IN_ONLYDIR)
    /// What makes the directory appear, go or be replaced, seen from its parent.
    static let parentEvents = UInt32(truncatingIfNeeded: IN_CREATE | IN_DELETE | IN_MOVED_TO | IN_MOVED_FROM | IN_ONLYDIR)

    let path: String
    let parent: String
    let name: [UInt8]
    var directory: Int32?
    var parentWatch: Int32?

    init(path: String) {
        var trimmed = Substring(path)
        while trimmed.count > 1, trimmed.hasSuffix("/") { trimmed = trimmed.dropLast() }
        self.path = String(trimmed)
        let cut = trimmed.lastIndex(of: "/")
        parent = cut.map { $0 == trimmed.startIndex ? "/" : String(trimmed[..<$0]) } ?? "."
        name = Array((cut.map { String(trimmed[trimmed.index(after: $0)...]) } ?? String(trimmed)).utf8)
    }

    /// Sets the watches that are missing; true when the directory's own watch was set again after
    /// it had gone (its entries may all be new).
    mutating func arm(_ descriptor: Int32) -> Bool {
        if parentWatch == nil {
            let watch = inotify_add_watch(descriptor, parent, Self.parentEvents)
            if watch >= 0 { parentWatch = watch }
        }
        guard directory == nil else { return false }
        let watch = inotify_add_watch(descriptor, path, Self.directoryEvents)
        guard watch >= 0 else { return false }
        directory = watch
        return true
    }

    /// Reads every event queued; true when one of them changes what the directory holds.
    mutating func read(_ descriptor: Int32, into buffer: inout [UInt8]) -> Bool {
        var relevant = false
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return relevant }
            buffer.withUnsafeBytes { bytes in
                var offset = 0
                // struct inotify_event: wd, mask, cookie, len, then len bytes of NUL-padded name.
                while offset + 16 <= count {
                    let wd = bytes.loadUnaligned(fromByteOffset: offset, as: Int32.self)
                    let mask = bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self)
                    let length = Int(bytes.loadUnaligned(fromByteOffset: offset + 12, as: UInt32.self))
                    let name = bytes[(offset + 16)..<min(offset + 16 + length, count)].prefix { $0 != 0 }
                    if event(wd: wd, mask: mask, name: Array(name), descriptor: descriptor) { relevant = true }
                    offset += 16 + length
                }
            }
        }
    }

    private mutating func event(wd: Int32, mask: UInt32, name: [UInt8], descriptor: Int32) -> Bool {
        let ignored = UInt32(truncatingIfNeeded: IN_IGNORED)
        if mask & UInt32(truncatingIfNeeded: IN_Q_OVERFLOW) != 0 { return true }
        if wd == directory {
            if mask & ignored != 0 {
                directory = nil
            } else if mask & UInt32(truncatingIfNeeded: IN_DELETE_SELF | IN_MOVE_SELF) != 0 {
                // Moved away, the watch would follow the old directory: the name is what counts.
                _ = inotify_rm_watch(descriptor, wd)
                directory = nil
            }
            return true
        }
        guard wd == parentWatch else { return false }
        if mask & ignored != 0 {
            parentWatch = nil
            return false
        }
        guard name == self.name else { return false }
        if mask & UInt32(truncatingIfNeeded: IN_CREATE | IN_MOVED_TO) != 0, let current = directory {
            // Another directory took the name: watch it instead of the one that had it.
            _ = inotify_rm_watch(descriptor, current)
            directory = nil
        }
        return true
    }
}

/// An inotify call that failed for a directory watch.
package struct DirectoryWatchError: Error, Sendable, CustomStringConvertible {
    package let path: String
    package let call: String
    package let errno: Int32

    package var description: String {
        let reason = String(cString: strerror(errno))
        return
            "cannot watch \(path) for changes (\(call): \(reason)); raise fs.inotify.max_user_instances if every inotify instance is taken, or turn the watch off"
    }
}
