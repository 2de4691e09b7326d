import Foundation

/// A child process started with posix_spawn and reaped with waitpid, so that a timed run measures
/// the program and not Foundation's run loop. stdin is a pipe fed with `input` (a password) or
/// /dev/null; stdout and stderr go to files, /dev/null or (`inheritingOutput`) where ours go; no
/// other descriptor of ours is inherited.
package final class ChildProcess: @unchecked Sendable { // `reaped` is guarded by `lock`
    package let pid: pid_t
    private let lock = NSLock()
    /// The exit status once waitpid has reported it (the pid is no longer ours after that).
    private var reaped: Int32?

    package struct Exit: Sendable {
        /// The exit code, or 128 + the signal that ended it (as a shell reports it).
        package let status: Int32
        package let elapsed: Duration
        package var succeeded: Bool { status == 0 }
    }

    /// Starts `arguments[0]` (looked up on PATH when it has no slash) with `environment`. With
    /// `appendOutput`, stdout is appended to rather than truncated (a log kept across restarts).
    package init(
        _ arguments: [String], environment: [String: String], input: [UInt8]? = nil,
        stdout: String? = nil, stderr: String? = nil, appendOutput: Bool = false, inheritingOutput: Bool = false,
        terminal: String? = nil
    ) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pipeEnds: [Int32] = [-1, -1]
        if let terminal {
            posix_spawn_file_actions_addopen(&actions, 0, terminal, O_RDWR, 0)
            posix_spawn_file_actions_adddup2(&actions, 0, 1)
            posix_spawn_file_actions_adddup2(&actions, 0, 2)
        } else if input != nil {
            guard pipe(&pipeEnds) == 0 else { throw Failure("cannot make a pipe for \(arguments[0]): errno \(errno)") }
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[0], 0)
            posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        if terminal == nil, !inheritingOutput {
            let truncate = appendOutput ? O_APPEND : O_TRUNC
            posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | truncate, 0o600)
            if let stderr, stderr == stdout {
                posix_spawn_file_actions_adddup2(&actions, 1, 2)
            } else {
                posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o600)
            }
        }
        // Descriptors this process has open (a test's pipes, sockets) must not outlive it in the child.
        for descriptor in Self.openDescriptors() where descriptor > 2 && descriptor != pipeEnds[0] {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        // The child starts with every signal at its default and none blocked, whatever this process set.
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var signals = sigset_t()
        sigemptyset(&signals)
        posix_spawnattr_setsigmask(&attributes, &signals)
        sigfillset(&signals)
        posix_spawnattr_setsigdefault(&attributes, &signals)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let code = posix_spawnp(&pid, arguments[0], &actions, &attributes, argv, envp)
        if input != nil { close(pipeEnds[0]) }
        guard code == 0 else {
            if input != nil { close(pipeEnds[1]) }
            throw Failure("cannot start \(arguments[0]): \(String(cString: strerror(code))); is it installed and on PATH?")
        }
        if let input {
            // A password line fits in the pipe's buffer: the write never waits for the child.
            _ = input.withUnsafeBytes { write(pipeEnds[1], $0.baseAddress, $0.count) }
            close(pipeEnds[1])
        }
        self.pid = pid
    }

    /// Runs a command to its end and times it, spawn to reap.
    package static func run(
        _ arguments: [String], environment: [String: String], input: [UInt8]? = nil,
        stdout: String? = nil, stderr: String? = nil
    ) throws -> Exit {
        let started = ContinuousClock.now
        return try ChildProcess(arguments, environment: environment, input: input, stdout: stdout, stderr: stderr).wait(since: started)
    }

    /// Waits for the child; `started` is when the caller began timing.
    package func wait(since started: ContinuousClock.Instant = .now) -> Exit {
        let status = lock.withLock { reaped } ?? reap(blocking: true)!
        return Exit(status: status, elapsed: ContinuousClock.now - started)
    }

    /// Whether the child has ended (reaping it if it just did).
    package var hasExited: Bool { lock.withLock { reaped } != nil || reap(blocking: false) != nil }

    /// Ends the child (SIGTERM) and reaps it; after `patience` (none: wait as long as it takes),
    /// SIGKILL. Returns its exit status.
    @discardableResult
    package func stop(patience: Duration? = .seconds(10)) -> Int32 {
        if let status = lock.withLock({ reaped }) ?? reap(blocking: false) { return status }
        kill(pid, SIGTERM)
        if let patience {
            let until = ContinuousClock.now + patience
            while ContinuousClock.now < until {
                if let status = reap(blocking: false) { return status }
                usleep(10_000)
            }
            kill(pid, SIGKILL)
        }
        return wait().status
    }

    /// SIGKILL: no chance to clean up, as after a crash or an OOM kill; then reaps it.
    package func killAbruptly() {
        guard !hasExited else { return }
        kill(pid, SIGKILL)
        _ = wait()
    }

    /// waitpid on our own child; the status once it has ended (nil while it runs).
    private func reap(blocking: Bool) -> Int32? {
        var status: Int32 = 0
        var answer: pid_t
        repeat { answer = waitpid(pid, &status, blocking ? 0 : WNOHANG) } while answer == -1 && errno == EINTR
        return lock.withLock {
            if let reaped { return reaped }
            guard answer == pid else { return answer == -1 ? -1 : nil }
            let exited = status & 0x7f == 0
            reaped = exited ? (status >> 8) & 0xff : 128 + (status & 0x7f)
            return reaped
        }
    }

    private static func openDescriptors() -> [Int32] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).compactMap { Int32($0) }
    }

    /// A child that could not be started: what failed, and what to check.
    package struct Failure: Error, CustomStringConvertible {
        package let description: String
        init(_ description: String) { self.description = description }
    }
}
