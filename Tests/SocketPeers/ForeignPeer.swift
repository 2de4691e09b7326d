import Foundation

/// A client in a child process running as another uid and gid (setpriv; 65534 unless told), so
/// the server sees another peer than the test process (whose own pid the policy always lets
/// through, as it does the daemon's watchdog probe).
package enum ForeignPeer {
    package static let uid: UInt32 = 65534

    private static func command(_ arguments: [String], as uid: UInt32) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups"] + arguments
        return process
    }

    /// Sends `request` as is on one connection and returns what the server sent until it
    /// closed ("TIMEOUT" appended if it kept the connection open for `timeout` seconds).
    package static func exchange(_ socket: String, _ request: String, timeout: Double = 5, as uid: UInt32 = uid) throws -> String {
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            s.connect(sys.argv[1])
            s.sendall(sys.stdin.buffer.read())
            s.settimeout(float(sys.argv[2]))
            data = b""
            while True:
                try:
                    chunk = s.recv(4096)
                except socket.timeout:
                    data += b"TIMEOUT"
                    break
                except ConnectionResetError:
                    break
                if not chunk:
                    break
                data += chunk
            sys.stdout.write(data.decode())
            """
        // On standard input: a long request does not fit in an argument.
        return try run(["/usr/bin/python3", "-c", script, socket, String(timeout)], input: Data(request.utf8), as: uid)
    }

    /// Opens `count` connections that send nothing and holds them until `release` is called.
    package static func holdConnections(_ socket: String, count: Int, as uid: UInt32 = uid) throws -> (release: () -> Void, process: Process) {
        let script = """
            import socket, sys
            held = []
            for _ in range(int(sys.argv[2])):
                s = socket.socket(socket.AF_UNIX)
                s.connect(sys.argv[1])
                held.append(s)
            print("ready", flush=True)
            sys.stdin.read()
            """
        let process = command(["/usr/bin/python3", "-c", script, socket, String(count)], as: uid)
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        _ = output.fileHandleForReading.availableData // "ready": every connection is made
        return (
            {
                try? input.fileHandleForWriting.close()
                process.waitUntilExit()
            }, process
        )
    }

    /// curl as the foreign peer: the status and the body.
    package static func curl(
        _ socket: String, _ method: String, _ path: String, body: String? = nil, as uid: UInt32 = uid
    ) throws -> (status: Int, body: String) {
        var arguments = ["/usr/bin/curl", "-s", "-w", "\n%{http_code}", "--unix-socket", socket, "-X", method, "http://ccgd" + path]
        if let body { arguments += ["-H", "content-type: application/json", "-d", body] }
        let output = try run(arguments, as: uid)
        let split = output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(split.last ?? "") ?? 0, split.dropLast().joined(separator: "\n"))
    }

    /// Opens connections as `uid` one after another until one is refused or `maximum` are
    /// held, and keeps the admitted ones until `release`. With `request`, each connection asks
    /// it and is admitted when answered 200, then asks it again every 2 s (within ccgd's request
    /// deadline) to stay open; without, it is admitted when the server sends anything first
    /// (an HTTP/2 server's SETTINGS). A refusal is the answer, or "" when closed without one.
    package static func holdConnectionsUntilRefused(_ socket: String, as uid: UInt32, maximum: Int, request: String? = nil) throws -> HeldConnections {
        let script = """
            import json, resource, select, socket, sys
            path, maximum, request = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode()
            soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))

            def answer(s):
                data = b""
                while b"\\r\\n\\r\\n" not in data:
                    chunk = s.recv(65536)
                    if not chunk:
                        return data
                    data += chunk
                head, _, body = data.partition(b"\\r\\n\\r\\n")
                lengths = [line.split(b":")[1] for line in head.split(b"\\r\\n") if line.lower().startswith(b"content-length:")]
                while lengths and len(body) < int(lengths[0]):
                    chunk = s.recv(65536)
                    if not chunk:
                        break
                    body += chunk
                return head + b"\\r\\n\\r\\n" + body

            held, refusal = [], None
            while len(held) < maximum:
                s = socket.socket(socket.AF_UNIX)
                try:
                    s.connect(path)
                    if request:
                        s.sendall(request)
                        reply = answer(s)
                        admitted = reply.startswith(b"HTTP/1.1 200")
                    else:
                        reply = s.recv(65536)
                        admitted = len(reply) > 0
                except OSError:
                    reply, admitted = b"", False
                if not admitted:
                    refusal = reply.decode(errors="replace") if request else ""
                    s.close()
                    break
                held.append(s)
            print(json.dumps({"held": len(held), "refusal": refusal}), flush=True)
            while True:
                ready, _, _ = select.select([sys.stdin], [], [], 2)
                if ready:
                    break
                if request:
                    for s in held:
                        s.sendall(request)
                        answer(s)
            """
        let process = command(["/usr/bin/python3", "-c", script, socket, String(maximum), request ?? ""], as: uid)
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line += chunk
        }
        let report = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any] ?? [:]
        return HeldConnections(held: report["held"] as? Int ?? -1, refusal: report["refusal"] as? String, process: process, input: input)
    }

    /// Sends `request` again and again on one connection for up to `seconds`, as fast as the
    /// socket takes it, and never reads an answer: the number of requests sent, and whether
    /// the server closed the connection meanwhile.
    package static func pipelineWithoutReading(
        _ socket: String, _ request: String, seconds: Double,
        as uid: UInt32 = uid
    ) throws -> (sent: Int, closed: Bool) {
        let script = """
            import json, select, socket, sys, time
            path, request, seconds = sys.argv[1], sys.argv[2].encode(), float(sys.argv[3])
            s = socket.socket(socket.AF_UNIX)
            s.connect(path)
            s.setblocking(False)
            batch = request * 64
            pending, sent, closed = b"", 0, False
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                if not pending:
                    pending = batch
                try:
                    n = s.send(pending)
                    sent += n
                    pending = pending[n:]
                except BlockingIOError:
                    select.select([], [s], [], 0.05)
                except OSError:
                    closed = True
                    break
            print(json.dumps({"sent": sent // len(request), "closed": closed}), flush=True)
            """
        let output = try run(["/usr/bin/python3", "-c", script, socket, request, String(seconds)], as: uid)
        let report = (try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [String: Any] ?? [:]
        return (report["sent"] as? Int ?? -1, report["closed"] as? Bool ?? false)
    }

    private static func run(_ arguments: [String], input: Data = Data(), as uid: UInt32) throws -> String {
        let process = command(arguments, as: uid)
        let output = Pipe(), standardInput = Pipe()
        process.standardOutput = output
        process.standardInput = standardInput
        try process.run()
        try standardInput.fileHandleForWriting.write(contentsOf: input)
        try standardInput.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Connections a foreign peer holds open (`ForeignPeer.holdConnectionsUntilRefused`).
package final class HeldConnections {
    /// How many were admitted and are held.
    package let held: Int
    /// The answer to the one that was refused ("" when closed without one); nil if none was.
    package let refusal: String?
    package let process: Process
    private let input: Pipe

    init(held: Int, refusal: String?, process: Process, input: Pipe) {
        self.held = held
        self.refusal = refusal
        self.process = process
        self.input = input
    }

    /// Closes them all and waits for the peer to end.
    package func release() {
        guard process.isRunning else { return }
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    deinit { release() }
}
