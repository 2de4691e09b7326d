import Foundation

/// A child process started with posix_spawn and reaped with waitpid, so that a timed run measures
/// the program and not Foundation's run loop. stdin is a pipe fed with `input` (a password) or
/// /dev/null; stdout and stderr go to files or /dev/null.
struct Spawn {
    let pid: pid_t

    struct Exit {
        let status: Int32
        let elapsed: Duration
        var succeeded: Bool { status == 0 }
    }

    /// Starts `arguments[0]` (looked up on PATH when it has no slash) with `environment`.
    init(_ arguments: [String], environment: [String: String], input: [UInt8]? = nil,
         stdout: String? = nil, stderr: String? = nil, terminal: String? = nil) throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        var pipeEnds: [Int32] = [-1, -1]
        if let terminal {
            posix_spawn_file_actions_addopen(&actions, 0, terminal, O_RDWR, 0)
            posix_spawn_file_actions_adddup2(&actions, 0, 1)
            posix_spawn_file_actions_adddup2(&actions, 0, 2)
        } else if input != nil {
            guard pipe(&pipeEnds) == 0 else { throw BenchError("cannot make a pipe for \(arguments[0]): errno \(errno)") }
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[0], 0)
            posix_spawn_file_actions_addclose(&actions, pipeEnds[1])
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        if terminal == nil {
            posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            if let stderr, stderr == stdout {
                posix_spawn_file_actions_adddup2(&actions, 1, 2)
            } else {
                posix_spawn_file_actions_addopen(&actions, 2, stderr ?? "/dev/null", O_WRONLY | O_CREAT | O_APPEND, 0o600)
            }
        }
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer {
            argv.forEach { free($0) }
            envp.forEach { free($0) }
        }
        var pid: pid_t = 0
        let code = posix_spawnp(&pid, arguments[0], &actions, nil, argv, envp)
        if input != nil { close(pipeEnds[0]) }
        guard code == 0 else {
            if input != nil { close(pipeEnds[1]) }
            throw BenchError("cannot start \(arguments[0]): \(String(cString: strerror(code))); is it installed and on PATH?")
        }
        if let input {
            // A password line fits in the pipe's buffer: the write never waits for the child.
            _ = input.withUnsafeBytes { write(pipeEnds[1], $0.baseAddress, $0.count) }
            close(pipeEnds[1])
        }
        self.pid = pid
    }

    /// Waits for the child; `started` is when the caller began timing.
    func wait(since started: ContinuousClock.Instant) -> Exit {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let elapsed = ContinuousClock.now - started
        let exited = status & 0x7f == 0
        return Exit(status: exited ? (status >> 8) & 0xff : 128 + (status & 0x7f), elapsed: elapsed)
    }

    /// Runs a command to its end and times it, spawn to reap.
    static func run(_ arguments: [String], environment: [String: String], input: [UInt8]? = nil,
                    stdout: String? = nil, stderr: String? = nil) throws -> Exit {
        let started = ContinuousClock.now
        return try Spawn(arguments, environment: environment, input: input, stdout: stdout, stderr: stderr).wait(since: started)
    }

    /// Ends a child this process started (by its pid) and reaps it: SIGTERM, SIGKILL after 10 s.
    func stop() {
        var status: Int32 = 0
        guard waitpid(pid, &status, WNOHANG) == 0 else { return }
        kill(pid, SIGTERM)
        for _ in 0..<1000 {
            if waitpid(pid, &status, WNOHANG) != 0 { return }
            usleep(10_000)
        }
        kill(pid, SIGKILL)
        _ = wait(since: .now)
    }
}

/// A failure of the benchmark's own steps: one sentence saying what went wrong and where to look.
struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
