import FoundationEssentials
import SecretMemory
import Synchronization
import Glibc

/// One run of a program: its own process group, only the given environment, `/` as working
/// directory, nothing open but stdin (the request), stdout and stderr, bounded in time and
/// output. It blocks: call it on a thread of its own, never on the Swift concurrency pool.
package struct ChildProcess {
    package struct Limits {
        var timeout: Duration
        var maximumOutput: Int
        package static let defaultErrorTail = 2048
        /// How much of stderr is kept: its end, where the reason usually is.
        var errorTail = defaultErrorTail
        /// Between SIGTERM and SIGKILL when the time is up or the caller cancels.
        var terminationGrace: Duration = .seconds(1)

        package init(timeout: Duration, maximumOutput: Int, errorTail: Int = defaultErrorTail, terminationGrace: Duration = .seconds(1)) {
            (self.timeout, self.maximumOutput, self.errorTail, self.terminationGrace) = (timeout, maximumOutput, errorTail, terminationGrace)
        }
    }

    package enum Termination: Equatable {
        case exited(status: Int32)
        case signaled(Int32)
    }

    package struct Outcome {
        package var termination: Termination
        /// All of stdout, zeroed when released.
        package var output: SecretBuffer
        /// The last `Limits.errorTail` bytes of stderr.
        package var errorTail: [UInt8]
        package var errorTruncated: Bool
    }

    package enum Failure: Error, Equatable {
        case spawn(errno: Int32)
        case system(call: String, errno: Int32)
        case timedOut
        case outputTooLarge
        case cancelled
    }

    let executable: String
    /// argv[1...]; argv[0] is `executable`.
    let arguments: [String]
    /// `NAME=value` entries: the program's whole environment.
    let environment: [String]
    /// The checked file to run, by descriptor (then `executable` is argv[0] and messages only):
    /// it becomes the program's descriptor 3, and the kernel runs /proc/self/fd/3, which a
    /// script's interpreter opens again, so neither can meet another file at the path.
    var program: Int32?

    package init(executable: String, arguments: [String], environment: [String], program: Int32? = nil) {
        (self.executable, self.arguments, self.environment, self.program) = (executable, arguments, environment, program)
    }

    /// The descriptor a checked program is run through.
    static let programDescriptor: Int32 = 3

    package func run(input: [UInt8], limits: Limits, cancellation: Cancellation) throws(Failure) -> Outcome {
        let deadline = ContinuousClock.now + limits.timeout
        let signalMask = SignalMask.blockingBrokenPipe()
        defer { signalMask.restore() }

        let descriptors = DescriptorSet()
        let request = try descriptors.pipe(), answer = try descriptors.pipe(), diagnostics = try descriptors.pipe()
        let child = RunningChild(pid: try spawn(stdin: request.readEnd, stdout: answer.writeEnd, stderr: diagnostics.writeEnd))
        defer { child.finish() }
        for end in [request.readEnd, answer.writeEnd, diagnostics.writeEnd] { descriptors.close(end) }
        for end in [request.writeEnd, answer.readEnd, diagnostics.readEnd] {
            _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
        }

        var inputEnd: Int32? = request.writeEnd, outputEnd: Int32? = answer.readEnd, errorEnd: Int32? = diagnostics.readEnd
        var written = 0
        if input.isEmpty { descriptors.close(request.writeEnd); inputEnd = nil }
        let output = SecretBuffer(capacity: min(limits.maximumOutput + 1, 16 * 1024))
        var errorTail: [UInt8] = [], errorTruncated = false
        var chunk = [UInt8](repeating: 0, count: 4096)

        while outputEnd != nil || errorEnd != nil || !child.hasExited {
            if cancellation.isCancelled {
                child.terminate(grace: limits.terminationGrace)
                throw .cancelled
            }
            let remaining = deadline - .now
            guard remaining > .zero else {
                child.terminate(grace: limits.terminationGrace)
                throw .timedOut
            }
            var watched: [pollfd] = []
            if let end = inputEnd { watched.append(pollfd(fd: end, events: Int16(POLLOUT), revents: 0)) }
            if let end = outputEnd { watched.append(pollfd(fd: end, events: Int16(POLLIN), revents: 0)) }
            if let end = errorEnd { watched.append(pollfd(fd: end, events: Int16(POLLIN), revents: 0)) }
            if !child.hasExited, child.exitDescriptor >= 0 {
                watched.append(pollfd(fd: child.exitDescriptor, events: Int16(POLLIN), revents: 0))
            }
            watched.append(pollfd(fd: cancellation.wakeDescriptor, events: Int16(POLLIN), revents: 0))
            // Without a pidfd, the leader's exit is noticed by looking every 20 ms.
            let slice = child.exitDescriptor >= 0 || child.hasExited ? remaining : min(remaining, .milliseconds(20))
            if poll(&watched, nfds_t(watched.count), pollMilliseconds(slice)) < 0 {
                if errno == EINTR { continue }
                throw .system(call: "poll", errno: errno)
            }
            func ready(_ end: Int32?) -> Bool {
                guard let end else { return false }
                return watched.contains { $0.fd == end && $0.revents != 0 }
            }

            if ready(inputEnd), let end = inputEnd {
                let count = input.withUnsafeBytes { write(end, $0.baseAddress! + written, min($0.count - written, 64 * 1024)) }
                if count > 0 { written += count }
                // EPIPE: the program does not read its request; what it prints still counts.
                if written == input.count || (count < 0 && errno != EAGAIN && errno != EINTR) {
                    descriptors.close(end)
                    inputEnd = nil
                }
            }
            if ready(outputEnd), let end = outputEnd {
                let room = limits.maximumOutput + 1 - output.count
                let count = output.append(upTo: min(room, 16 * 1024)) { read(end, $0.baseAddress, $0.count) }
                if count == 0 {
                    descriptors.close(end)
                    outputEnd = nil
                } else if count < 0, errno != EAGAIN, errno != EINTR {
                    throw .system(call: "read", errno: errno)
                }
                if output.count > limits.maximumOutput { throw .outputTooLarge }
            }
            if ready(errorEnd), let end = errorEnd {
                let count = chunk.withUnsafeMutableBytes { read(end, $0.baseAddress, $0.count) }
                if count > 0 {
                    errorTail.append(contentsOf: chunk[0..<count])
                    if errorTail.count > 2 * limits.errorTail {
                        errorTail.removeFirst(errorTail.count - limits.errorTail)
                        errorTruncated = true
                    }
                } else if count == 0 || (errno != EAGAIN && errno != EINTR) {
                    descriptors.close(end)
                    errorEnd = nil
                }
            }
            if !child.hasExited, child.checkExit() {
                // Whatever it left running in its group goes with it; a request nobody reads is dropped.
                child.killGroup(SIGKILL)
                if let end = inputEnd { descriptors.close(end); inputEnd = nil }
            }
        }

        if errorTail.count > limits.errorTail {
            errorTail.removeFirst(errorTail.count - limits.errorTail)
            errorTruncated = true
        }
        return Outcome(termination: try child.reap(), output: output, errorTail: errorTail, errorTruncated: errorTruncated)
    }

    private func spawn(stdin: Int32, stdout: Int32, stderr: Int32) throws(Failure) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }

        for (source, target) in [(stdin, Int32(0)), (stdout, 1), (stderr, 2)] {
            let result = posix_spawn_file_actions_adddup2(&actions, source, target)
            guard result == 0 else { throw .system(call: "posix_spawn_file_actions_adddup2", errno: result) }
        }
        guard let program else { return try spawn(executable, actions: &actions, attributes: &attributes, closingFrom: 3) }
        // Above 3, so that the move to 3 below clears close-on-exec (dup2 onto itself would not).
        let raised = fcntl(program, F_DUPFD_CLOEXEC, Self.programDescriptor + 1)
        guard raised >= 0 else { throw .system(call: "fcntl", errno: errno) }
        defer { close(raised) }
        let result = posix_spawn_file_actions_adddup2(&actions, raised, Self.programDescriptor)
        guard result == 0 else { throw .system(call: "posix_spawn_file_actions_adddup2", errno: result) }
        return try spawn(
            "/proc/self/fd/\(Self.programDescriptor)", actions: &actions, attributes: &attributes,
            closingFrom: Self.programDescriptor + 1)
    }

    /// Runs `file` with the actions and attributes so far, after closing every descriptor from `lowest` on.
    private func spawn(
        _ file: String, actions: inout posix_spawn_file_actions_t, attributes: inout posix_spawnattr_t,
        closingFrom lowest: Int32
    ) throws(Failure) -> pid_t {
        // Every descriptor of ours is close-on-exec; this also covers those other code opened without it.
        if let addCloseFrom = GNUFunctions.addCloseFrom {
            let result = addCloseFrom(&actions, lowest)
            guard result == 0 else { throw .system(call: "posix_spawn_file_actions_addclosefrom_np", errno: result) }
        }
        if let addChangeDirectory = GNUFunctions.addChangeDirectory {
            let result = addChangeDirectory(&actions, "/")
            guard result == 0 else { throw .system(call: "posix_spawn_file_actions_addchdir_np", errno: result) }
        }

        // ccgd's blocked and ignored signals (SIGPIPE, SIGTERM, …) must not carry over.
        var noSignals = sigset_t(), allSignals = sigset_t()
        sigemptyset(&noSignals)
        sigfillset(&allSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &allSignals)
        posix_spawnattr_setpgroup(&attributes, 0)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, file, &actions, &attributes, argv, envp)
        guard result == 0 else { throw .spawn(errno: result) }
        return pid
    }

}

extension ChildProcess {
    /// Lets the task awaiting a run stop it: sets a flag and wakes the poll loop through a pipe.
    package final class Cancellation: @unchecked Sendable { // `cancelled` is guarded by `lock`; the pipe never changes
        private let cancelled = Mutex(false)
        private let wake: ChildPipe

        package init() throws(Failure) {
            wake = try ChildPipe.make()
            for end in [wake.readEnd, wake.writeEnd] { _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK) }
        }

        deinit {
            _ = close(wake.readEnd)
            _ = close(wake.writeEnd)
        }

        var wakeDescriptor: Int32 { wake.readEnd }

        package var isCancelled: Bool { cancelled.withLock { $0 } }

        package func cancel() {
            cancelled.withLock { cancelled in
                cancelled = true
                var byte: UInt8 = 1
                _ = write(wake.writeEnd, &byte, 1)
            }
        }
    }
}

/// A `poll(2)` timeout, rounded up so that a poll never wakes just before a deadline.
private func pollMilliseconds(_ duration: Duration) -> Int32 {
    let (seconds, attoseconds) = duration.components
    let total = min(seconds, 86_400) * 1000 + (attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000
    return Int32(clamping: max(total, 0))
}

/// The spawned leader of the process group; unreaped until `reap`, so its pid (the group id)
/// cannot be reused while the group is signalled.
private final class RunningChild {
    let pid: pid_t
    /// A pidfd, readable once the leader exits; -1 where the kernel has none.
    let exitDescriptor: Int32
    private(set) var hasExited = false
    private var isReaped = false
    /// Set when the leader was reaped behind our back (ccgd ignoring SIGCHLD): its pid may be reused.
    private var lostErrno: Int32?

    init(pid: pid_t) {
        self.pid = pid
        exitDescriptor = GNUFunctions.pidFDOpen.map { $0(pid, 0) } ?? -1 // pidfds are always close-on-exec
    }

    deinit {
        if exitDescriptor >= 0 { _ = close(exitDescriptor) }
    }

    /// Notices the leader's exit without reaping it.
    @discardableResult
    func checkExit() -> Bool {
        guard !hasExited else { return true }
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOHANG | WNOWAIT) != 0 {
            if errno == EINTR { continue }
            hasExited = true
            isReaped = true
            lostErrno = errno
            return true
        }
        hasExited = info._sifields._sigchld.si_pid == pid
        return hasExited
    }

    func killGroup(_ signal: Int32) {
        guard !isReaped else { return }
        _ = kill(-pid, signal)
    }

    /// SIGTERM to the whole group, then SIGKILL once the leader exits or `grace` is over.
    func terminate(grace: Duration) {
        killGroup(SIGTERM)
        let until = ContinuousClock.now + grace
        while !checkExit() {
            let remaining = until - .now
            guard remaining > .zero else { break }
            var watched = [pollfd(fd: exitDescriptor, events: Int16(POLLIN), revents: 0)]
            let slice = exitDescriptor >= 0 ? remaining : min(remaining, .milliseconds(10))
            _ = poll(&watched, exitDescriptor >= 0 ? 1 : 0, pollMilliseconds(slice))
        }
        killGroup(SIGKILL)
    }

    /// Collects the leader's status; it must have exited or been killed.
    func reap() throws(ChildProcess.Failure) -> ChildProcess.Termination {
        if let lostErrno { throw .system(call: "waitid", errno: lostErrno) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 {
            if errno == EINTR { continue }
            isReaped = true
            throw .system(call: "waitpid", errno: errno)
        }
        isReaped = true
        let signal = status & 0x7F
        return signal == 0 ? .exited(status: (status >> 8) & 0xFF) : .signaled(signal)
    }

    /// On every way out: nothing of the program outlives the call, and no zombie is left.
    func finish() {
        guard !isReaped else { return }
        killGroup(SIGKILL)
        _ = try? reap()
    }
}

/// The pipe ends a run opened; whatever is still open is closed when the run ends.
private final class DescriptorSet {
    private var open: Set<Int32> = []

    deinit {
        open.forEach { _ = Glibc.close($0) }
    }

    func pipe() throws(ChildProcess.Failure) -> ChildPipe {
        let pipe = try ChildPipe.make()
        open.formUnion([pipe.readEnd, pipe.writeEnd])
        return pipe
    }

    func close(_ descriptor: Int32) {
        if open.remove(descriptor) != nil { _ = Glibc.close(descriptor) }
    }
}

/// Blocks SIGPIPE on the calling thread for a run, so writing to a program that has exited
/// fails with EPIPE instead of killing ccgd.
private struct SignalMask {
    private var previous = sigset_t()

    static func blockingBrokenPipe() -> SignalMask {
        var mask = SignalMask()
        var brokenPipe = sigset_t()
        sigemptyset(&brokenPipe)
        sigaddset(&brokenPipe, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &brokenPipe, &mask.previous)
        return mask
    }

    /// Discards a SIGPIPE the run raised, then unblocks it if it was not blocked before.
    func restore() {
        var previous = previous
        var pending = sigset_t()
        sigpending(&pending)
        if sigismember(&pending, SIGPIPE) == 1, sigismember(&previous, SIGPIPE) == 0 {
            var brokenPipe = sigset_t()
            sigemptyset(&brokenPipe)
            sigaddset(&brokenPipe, SIGPIPE)
            var immediately = timespec(tv_sec: 0, tv_nsec: 0)
            _ = sigtimedwait(&brokenPipe, nil, &immediately)
        }
        pthread_sigmask(SIG_SETMASK, &previous, nil)
    }
}
