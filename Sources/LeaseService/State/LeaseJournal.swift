import CredSpec
import JSON
import DurableFiles
import Dispatch
import FoundationEssentials
import Glibc
import SystemPackage
import Synchronization
import DomainModel
import SystemSupport

/// The lease records in the state directory: an append-only journal of creations and deletions,
/// synced before a lease is acknowledged. Concurrent requests share one fsync (group commit), so
/// durability costs little per lease. A crash can only cut the last line short, and a line that
/// was cut short was never acknowledged; a failed append is cut off again before anything else
/// is written. The journal is rewritten compactly at start-up and when it has grown well past
/// the leases it describes.
package final class LeaseJournal: Sendable {
    package enum Entry: Sendable {
        case created(LeaseRecord)
        case deleted(LeaseID)
    }

    /// The format of a line (its `v`, on every line).
    package static let version = 1

    package let directory: String
    package var path: String { directory + "/leases.journal" }

    private struct Waiter {
        let bytes: [UInt8]
        let creates: Bool
        let continuation: CheckedContinuation<Void, Error>
    }

    private struct State {
        var fd: Int32 = -1
        /// The length of the file up to its last whole, acknowledged line: a failed append is cut back to it.
        var size: off_t = 0
        /// Set when a failed append could not be cut back: nothing more is appended until a restart.
        var broken: LeaseJournalError?
        var pending: [Waiter] = []
        var flusherStarted = false
        /// Lines in the file and leases they leave alive, to know when compaction pays.
        var lines = 0
        var live = 0
    }

    private let state = Mutex(State())
    /// Wakes the flusher thread when an entry is pending.
    private let wake = DispatchSemaphore(value: 0)

    package init(directory: String) {
        self.directory = directory
    }

    deinit {
        let fd = state.withLock { $0.fd }
        if fd >= 0 { close(fd) }
    }

    /// Lines written since the last compaction.
    package var lineCount: Int { state.withLock { $0.lines } }

    // MARK: - Start-up

    /// What start-up found in the journal.
    package struct Contents: Sendable {
        /// The live records, in creation order.
        package var records: [LeaseRecord]
        /// Set when some lines could not be read: the damaged file was kept under another name,
        /// and lease directories without a record must then be kept too (their record may be
        /// among the damaged lines).
        package var damage: LeaseJournalDamage?
        /// Damaged copies kept from this or an earlier start: while one is there, a lease
        /// directory without a record may still be one of its leases, and is kept.
        package var damagedCopies: [String]

        package var keepsDirectoriesWithoutRecord: Bool { !damagedCopies.isEmpty }
    }

    /// Reads the journal, rewrites it with just the live records, and opens it for appending.
    /// A journal that cannot be read at all, or that a newer ccgd wrote, stops the start: going
    /// on with none of its leases would lose them.
    package func open() throws(LeaseJournalError) -> Contents {
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        } catch {
            throw .unusable(path: directory, reason: "cannot create the state directory (\(error))")
        }
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(".") && name.contains(".tmp-") {
            unlink(directory + "/" + name) // a compaction a crash interrupted
        }
        let data = try Self.contents(of: path)
        let (records, damagedLines) = try Self.replay(data, path: path)
        var damage: LeaseJournalDamage?
        if !damagedLines.isEmpty {
            // Kept byte for byte, so that an operator can repair the lines by hand.
            let copy = Self.freshCopyName(for: path, at: Date())
            do {
                try AtomicFile.write(data, to: copy, ownership: FileOwnership(mode: 0o600))
            } catch {
                throw .unusable(path: path, reason: "lines \(Self.list(damagedLines)) are damaged and the file cannot be copied aside (\(error))")
            }
            damage = LeaseJournalDamage(path: path, lines: damagedLines, preservedCopy: copy)
        }
        do { try compact(records) } catch { throw .unusable(path: path, reason: "\(error)") }
        HeapMemory.returnFreePages() // the whole journal and its parsed lines, freed
        return Contents(records: records, damage: damage, damagedCopies: damagedCopies())
    }

    /// The damaged copies in the state directory now, oldest first: kept from this or an earlier
    /// start until an operator removes them.
    package func damagedCopies() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [])
            .filter { $0.hasPrefix("leases.journal.damaged-") }.sorted().map { directory + "/" + $0 }
    }

    /// `leases.journal.damaged-20261207T081800Z`: the time of the damage's discovery in UTC (ISO
    /// 8601, basic format), with `-2`, `-3`… when a copy of that second exists already.
    static func freshCopyName(for path: String, at time: Date) -> String {
        let stamp = Date.ISO8601FormatStyle(dateSeparator: .omitted, timeSeparator: .omitted).format(time)
        var name = path + ".damaged-" + stamp
        var number = 1
        while FileManager.default.fileExists(atPath: name) {
            number += 1
            name = path + ".damaged-" + stamp + "-\(number)"
        }
        return name
    }

    /// The file's bytes; a missing file is an empty journal, any other failure is an error.
    private static func contents(of path: String) throws(LeaseJournalError) -> Data {
        let fd = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK)
        if fd < 0 {
            if errno == ENOENT { return Data() }
            throw .unreadable(path: path, errno: errno)
        }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw .unreadable(path: path, errno: errno) }
        guard status.st_mode & S_IFMT == S_IFREG else { throw .unusable(path: path, reason: "it is not a regular file") }
        do { return Data(try FileDescriptor(rawValue: fd).readToEnd(path: path)) } catch {
            throw .unreadable(path: path, errno: error.errno)
        }
    }

    /// The live records, and the numbers (1-based) of lines that are not journal entries. The
    /// last line without its newline was being written when ccgd stopped: never acknowledged.
    static func replay(_ data: Data, path: String) throws(LeaseJournalError) -> ([LeaseRecord], [Int]) {
        var live: [LeaseID: (order: Int, record: LeaseRecord)] = [:]
        var damaged: [Int] = []
        let decoder = Self.decoder
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        for (number, line) in lines.enumerated() where !line.isEmpty {
            if number == lines.count - 1 { break }
            let entry: JournalLine
            do { entry = try decoder.decode(JournalLine.self, from: Data(line)) } catch {
                damaged.append(number + 1)
                continue
            }
            let version = entry.v
            guard version <= Self.version else { throw .newerVersion(path: path, line: number + 1, version: version) }
            switch (entry.op, entry.lease, entry.id) {
            case let ("create", record?, _): live[record.id] = (number, record)
            case let ("delete", _, id?): live[id] = nil
            default: damaged.append(number + 1)
            }
        }
        return (live.values.sorted { $0.order < $1.order }.map(\.record), damaged)
    }

    static func list(_ lines: [Int]) -> String {
        lines.count <= 5
            ? lines.map(String.init).joined(separator: ", ")
            : lines.prefix(5).map(String.init).joined(separator: ", ") + " and \(lines.count - 5) more"
    }

    /// Replaces the journal with one creation line per record, atomically, and reopens it.
    /// Only at start-up or from the flusher, so that no append runs meanwhile.
    private func compact(_ records: [LeaseRecord]) throws {
        var bytes: [UInt8] = []
        for record in records { bytes += try Self.line(.created(record)) }
        try AtomicFile.write(bytes, to: path, ownership: FileOwnership(mode: 0o600))
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW)
        guard fd >= 0 else { throw FileSystemError("open", path: path, errno: errno) }
        state.withLock { state in
            if state.fd >= 0 { close(state.fd) }
            state.fd = fd
            state.size = off_t(bytes.count)
            state.lines = records.count
            state.live = records.count
        }
    }

    /// When deletions have made most of the file dead weight, rewrite it from itself (never
    /// when it cannot be read whole: compaction must not drop what it does not understand).
    private func compactIfWorthIt() {
        let worth = state.withLock { $0.broken == nil && $0.lines > max(10_000, 4 * $0.live) }
        guard worth else { return }
        compactFromFile()
        HeapMemory.returnFreePages() // the whole journal and its parsed lines, freed on return from the line above
    }

    private func compactFromFile() {
        guard let data = try? Self.contents(of: path), let (records, damaged) = try? Self.replay(data, path: path), damaged.isEmpty else { return }
        try? compact(records)
    }

    // MARK: - Appending

    /// Appends `entry` and returns once it is on disk.
    package func append(_ entry: Entry) async throws {
        let bytes = try Self.line(entry)
        let creates = if case .created = entry { true } else { false }
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, Error>) in
            let startFlusher = state.withLock { state -> Bool in
                state.pending.append(Waiter(bytes: bytes, creates: creates, continuation: continuation))
                defer { state.flusherStarted = true }
                return !state.flusherStarted
            }
            if startFlusher {
                // A thread of its own for the process's life: write and fsync block, and must
                // not hold a Swift pool thread.
                BlockingWork(label: "ccgd.journal").start { [self] in flushForever() }
            }
            wake.signal()
        }
    }

    /// Writes everything pending with one write and one fdatasync per round; entries that arrive
    /// during a sync share the next one.
    private func flushForever() {
        while true {
            wake.wait()
            let (batch, fd, size, broken) = state.withLock { state -> ([Waiter], Int32, off_t, LeaseJournalError?) in
                let batch = state.pending
                state.pending = []
                return (batch, state.fd, state.size, state.broken)
            }
            if batch.isEmpty { continue }
            let failure = broken ?? write(batch.flatMap(\.bytes), to: fd, after: size)
            if failure == nil {
                let created = batch.filter(\.creates).count
                let appended = batch.reduce(0) { $0 + $1.bytes.count }
                state.withLock { state in
                    state.size += off_t(appended)
                    state.lines += batch.count
                    state.live += created - (batch.count - created)
                }
            }
            for waiter in batch {
                if let failure { waiter.continuation.resume(throwing: failure) } else { waiter.continuation.resume() }
            }
            compactIfWorthIt()
        }
    }

    /// Appends and syncs `bytes`; on any failure cuts the file back to `size`, so that a partial
    /// line never runs into the next batch's first line.
    private func write(_ bytes: [UInt8], to fd: Int32, after size: off_t) -> LeaseJournalError? {
        var failure: FileSystemError?
        bytes.withUnsafeBytes { buffer in
            do { try FileDescriptor(rawValue: fd).writeAll(buffer, path: path) } catch {
                failure = (error as? FileSystemError) ?? FileSystemError("append to", path: path, errno: EIO)
            }
        }
        if failure == nil && fdatasync(fd) != 0 { failure = FileSystemError("sync", path: path, errno: errno) }
        guard let failure else { return nil }
        guard ftruncate(fd, size) == 0, fdatasync(fd) == 0 else {
            let broken = LeaseJournalError.cannotRepair(path: path, errno: errno, cause: failure)
            state.withLock { $0.broken = broken }
            return broken
        }
        return .appendFailed(failure)
    }

    // MARK: - Encoding

    private struct JournalLine: Codable {
        let v: Int
        let op: String
        let lease: LeaseRecord?
        let id: LeaseID?
    }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()

    /// One line of the journal: the keys and values `JSONLine` decodes, written with the CredSpec
    /// module's JSON writer (Foundation's generic encoder cost more than the rest of a lease).
    static func line(_ entry: Entry) throws -> [UInt8] {
        let line: JSONValue
        switch entry {
        case let .created(record):
            line = .object(["lease": record.journalJSON, "op": "create", "v": .number(String(version))])
        case let .deleted(id):
            line = .object(["id": .string(id.value), "op": "delete", "v": .number(String(version))])
        }
        return line.compactUTF8 + [0x0A]
    }

    /// The line as Foundation's encoder writes it (for the tests that hold `line` to it).
    static func encodedLine(_ entry: Entry) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line: JournalLine
        switch entry {
        case let .created(record): line = JournalLine(v: version, op: "create", lease: record, id: nil)
        case let .deleted(id): line = JournalLine(v: version, op: "delete", lease: nil, id: id)
        }
        return Array(try encoder.encode(line)) + [0x0A]
    }
}

/// Lines of the journal that could not be read at start-up.
package struct LeaseJournalDamage: Sendable, CustomStringConvertible {
    package let path: String
    /// 1-based line numbers.
    package let lines: [Int]
    /// Where the damaged file was copied before the journal was rewritten without those lines.
    package let preservedCopy: String

    package var description: String {
        "the lease journal \(path) has \(lines.count) damaged line(s) (\(LeaseJournal.list(lines))); the leases on them are "
            + "not restored, and their directories are kept: the original file is at \(preservedCopy) for repair."
    }
}

/// Why the lease journal cannot be used.
package enum LeaseJournalError: Error, Sendable, CustomStringConvertible {
    case unreadable(path: String, errno: Int32)
    case unusable(path: String, reason: String)
    case newerVersion(path: String, line: Int, version: Int)
    case appendFailed(FileSystemError)
    case cannotRepair(path: String, errno: Int32, cause: FileSystemError)

    package var description: String {
        switch self {
        case let .unreadable(path, errno):
            "cannot read the lease journal \(path): \(String(cString: strerror(errno))); ccgd did not start so that no lease is lost: make the file readable by ccgd (or move it aside to start without its leases)."
        case let .unusable(path, reason):
            "cannot use the lease journal \(path): \(reason); ccgd did not start so that no lease is lost: fix the state directory and start again."
        case let .newerVersion(path, line, version):
            "the lease journal \(path) was written by a newer ccgd (line \(line) has format \(version), this ccgd knows \(LeaseJournal.version)); run that version again, or move the file aside to start without its leases."
        case let .appendFailed(cause):
            "\(cause)"
        case let .cannotRepair(path, errno, cause):
            "the lease journal \(path) could not be cut back after a failed append (\(String(cString: strerror(errno))); the append failed with: \(cause)); no more leases are recorded until ccgd is restarted."
        }
    }
}
