import DurableFiles
import Dispatch
import FoundationEssentials
#if canImport(Glibc)
import Glibc
#endif
import Synchronization

/// The lease records in the state directory: an append-only journal of creations and deletions,
/// synced before a lease is acknowledged. Concurrent requests share one fsync (group commit), so
/// durability costs little per lease. A crash can only cut the last line short, and a line that
/// was cut short was never acknowledged. The journal is rewritten compactly at start-up and when
/// it has grown well past the leases it describes.
public final class LeaseJournal: Sendable {
    public enum Entry: Sendable {
        case created(LeaseRecord)
        case deleted(LeaseID)
    }

    public let directory: String
    public var path: String { directory + "/leases.journal" }

    private struct Waiter {
        let bytes: [UInt8]
        let creates: Bool
        let continuation: CheckedContinuation<Void, Error>
    }

    private struct State {
        var fd: Int32 = -1
        var pending: [Waiter] = []
        var flusherStarted = false
        /// Lines in the file and leases they leave alive, to know when compaction pays.
        var lines = 0
        var live = 0
    }

    private let state = Mutex(State())
    /// Wakes the flusher thread when an entry is pending.
    private let wake = DispatchSemaphore(value: 0)

    public init(directory: String) {
        self.directory = directory
    }

    deinit {
        let fd = state.withLock { $0.fd }
        if fd >= 0 { close(fd) }
    }

    /// Lines written since the last compaction.
    public var lineCount: Int { state.withLock { $0.lines } }

    // MARK: - Start-up

    /// Reads the journal, rewrites it with just the live records, and opens it for appending.
    /// Returns the live records in creation order, and a sentence for each line it had to skip.
    public func open() throws -> (records: [LeaseRecord], problems: [String]) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] where name.hasPrefix(".") && name.contains(".tmp-") {
            unlink(directory + "/" + name)   // a compaction a crash interrupted
        }
        let (records, problems) = Self.replay(FileManager.default.contents(atPath: path) ?? Data(), path: path)
        try compact(records)
        return (records, problems)
    }

    static func replay(_ data: Data, path: String) -> ([LeaseRecord], [String]) {
        var live: [LeaseID: (order: Int, record: LeaseRecord)] = [:]
        var problems: [String] = []
        let decoder = Self.decoder
        let lines = data.split(separator: 0x0A, omittingEmptySubsequences: false)
        for (number, line) in lines.enumerated() where !line.isEmpty {
            // The last line without its newline was being written when ccgd stopped: never acknowledged.
            if number == lines.count - 1 { break }
            do {
                let entry = try decoder.decode(JournalLine.self, from: Data(line))
                switch (entry.op, entry.lease, entry.id) {
                case let ("create", record?, _): live[record.id] = (number, record)
                case let ("delete", _, id?): live[id] = nil
                default: throw CocoaError(.fileReadCorruptFile)
                }
            } catch {
                problems.append("\(path):\(number + 1) is not a lease journal entry; it was skipped.")
            }
        }
        return (live.values.sorted { $0.order < $1.order }.map(\.record), problems)
    }

    /// Replaces the journal with one creation line per record, atomically, and reopens it.
    /// Only at start-up or from the flusher, so that no append runs meanwhile.
    private func compact(_ records: [LeaseRecord]) throws {
        var bytes: [UInt8] = []
        for record in records { bytes += try Self.line(.created(record)) }
        try AtomicFile.write(bytes, to: path, ownership: FileOwnership(mode: 0o600))
        let fd = Glibc.open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw FileSystemError("open", path: path, errno: errno) }
        state.withLock { state in
            if state.fd >= 0 { close(state.fd) }
            state.fd = fd
            state.lines = records.count
            state.live = records.count
        }
    }

    /// When deletions have made most of the file dead weight, rewrite it from itself.
    private func compactIfWorthIt() {
        let worth = state.withLock { $0.lines > max(10_000, 4 * $0.live) }
        guard worth, let data = FileManager.default.contents(atPath: path) else { return }
        let (records, _) = Self.replay(data, path: path)
        try? compact(records)
    }

    // MARK: - Appending

    /// Appends `entry` and returns once it is on disk.
    public func append(_ entry: Entry) async throws {
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
                DedicatedThread.start { [self] in flushForever() }
            }
            wake.signal()
        }
    }

    /// Writes everything pending with one write and one fdatasync per round; entries that arrive
    /// during a sync share the next one.
    private func flushForever() {
        while true {
            wake.wait()
            let (batch, fd) = state.withLock { state -> ([Waiter], Int32) in
                let batch = state.pending
                state.pending = []
                return (batch, state.fd)
            }
            if batch.isEmpty { continue }
            let bytes = batch.flatMap(\.bytes)
            var failure: Error?
            var written = 0
            while written < bytes.count && failure == nil {
                let n = bytes.withUnsafeBytes { Glibc.write(fd, $0.baseAddress! + written, bytes.count - written) }
                if n < 0 && errno == EINTR { continue }
                if n < 0 { failure = FileSystemError("append to", path: path, errno: errno) } else { written += n }
            }
            if failure == nil && fdatasync(fd) != 0 { failure = FileSystemError("sync", path: path, errno: errno) }
            if failure == nil {
                let created = batch.filter(\.creates).count
                state.withLock { state in
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

    // MARK: - Encoding

    private struct JournalLine: Codable {
        let op: String
        let lease: LeaseRecord?
        let id: LeaseID?
    }

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()

    static func line(_ entry: Entry) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let line: JournalLine
        switch entry {
        case let .created(record): line = JournalLine(op: "create", lease: record, id: nil)
        case let .deleted(id): line = JournalLine(op: "delete", lease: nil, id: id)
        }
        return Array(try encoder.encode(line)) + [0x0A]
    }
}
