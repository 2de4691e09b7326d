import DaemonHarness
import Foundation

/// A program run on a pseudo-terminal and driven like a person at it: wait for a prompt, type a
/// line. For MIT `ktutil addent -password`, which reads the password from a terminal only.
final class TerminalSession {
    private let master: Int32
    private let child: ChildProcess
    private var seen = ""

    init(_ arguments: [String], environment: [String: String]) throws {
        var master: Int32 = -1
        var slave: Int32 = -1
        guard openpty(&master, &slave, nil, nil, nil) == 0 else { throw BenchError("cannot open a pseudo-terminal: errno \(errno)") }
        defer { close(slave) }
        guard let name = ttyname(slave) else {
            close(master)
            throw BenchError("cannot name the pseudo-terminal: errno \(errno)")
        }
        // The child opens the terminal's other end by its name: stdin, stdout and stderr.
        let path = String(cString: name)
        self.master = master
        do {
            child = try ChildProcess(arguments, environment: environment, terminal: path)
        } catch {
            close(master)
            throw error
        }
    }

    deinit {
        close(master)
        child.stop()
    }

    /// Reads until `text` appears (case-sensitive), within `seconds`.
    func expect(_ text: String, seconds: Double = 10) throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !seen.contains(text) {
            guard ContinuousClock.now < deadline else { throw BenchError("the terminal program did not print \"\(text)\"; it printed: \(seen.suffix(300))") }
            var poller = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
            guard poll(&poller, 1, 100) > 0 else { continue }
            let count = read(master, &buffer, buffer.count)
            guard count > 0 else { throw BenchError("the terminal program ended before printing \"\(text)\"; it printed: \(seen.suffix(300))") }
            seen += String(decoding: buffer[0..<count], as: UTF8.self)
        }
        // Later expectations look only at what comes after this match.
        seen = String(seen[seen.range(of: text)!.upperBound...])
    }

    func type(_ line: String) {
        let bytes = Array((line + "\n").utf8)
        _ = bytes.withUnsafeBytes { write(master, $0.baseAddress, $0.count) }
    }

    /// Waits for the program to end; its exit status.
    func finish() -> Int32 { child.wait(since: .now).status }
}
