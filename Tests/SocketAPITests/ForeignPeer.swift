import Foundation

/// A client in a child process running as uid and gid 65534 (setpriv), so the server sees
/// another peer than the test process (whose own pid the policy always lets through).
enum ForeignPeer {
    static let uid: UInt32 = 65534

    private static func command(_ arguments: [String]) -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups"] + arguments
        return process
    }

    /// Sends `request` as is on one connection and returns what the server sent until it
    /// closed ("TIMEOUT" appended if it kept the connection open for `timeout` seconds).
    static func exchange(_ socket: String, _ request: String, timeout: Double = 5) throws -> String {
        let script = """
            import socket, sys
            s = socket.socket(socket.AF_UNIX)
            s.connect(sys.argv[1])
            s.sendall(sys.argv[2].encode())
            s.settimeout(float(sys.argv[3]))
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
        return try run(["/usr/bin/python3", "-c", script, socket, request, String(timeout)])
    }

    /// Opens `count` connections that send nothing and holds them until `release` is called.
    static func holdConnections(_ socket: String, count: Int) throws -> (release: () -> Void, process: Process) {
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
        let process = command(["/usr/bin/python3", "-c", script, socket, String(count)])
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        _ = output.fileHandleForReading.availableData  // "ready": every connection is made
        return ({
            try? input.fileHandleForWriting.close()
            process.waitUntilExit()
        }, process)
    }

    /// curl as the foreign peer: the status and the body.
    static func curl(_ socket: String, _ method: String, _ path: String, body: String? = nil) throws -> (status: Int, body: String) {
        var arguments = ["/usr/bin/curl", "-s", "-w", "\n%{http_code}", "--unix-socket", socket, "-X", method, "http://ccgd" + path]
        if let body { arguments += ["-H", "content-type: application/json", "-d", body] }
        let output = try run(arguments)
        let split = output.split(separator: "\n", omittingEmptySubsequences: false)
        return (Int(split.last ?? "") ?? 0, split.dropLast().joined(separator: "\n"))
    }

    private static func run(_ arguments: [String]) throws -> String {
        let process = command(arguments)
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}
