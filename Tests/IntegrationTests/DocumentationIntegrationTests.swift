import Foundation
import TestSupport
import XCTest

/// Every command block of README.md and docs/*.md, run as written, in order, against the test
/// domain in the state `scripts/demo` leaves (the README's first command): a scratch copy of the
/// repository's top level with a `.testdomain` of its own (the running DC's files, its own ccgd
/// configuration, state and Podman sandbox) and the tests' `.build/debug`. A block that cannot run
/// in a test carries `<!-- not run: REASON -->` just above it; `<!-- run in the background; wait
/// for PATH -->` runs one (the daemon) until the end, once PATH accepts connections.
final class DocumentationIntegrationTests: XCTestCase {
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    struct Block {
        let file: String
        let line: Int
        let language: String
        /// The HTML comment just above the fence, without `<!--` and `-->`.
        let marker: String?
        let text: String

        var place: String { "\(file):\(line)" }
    }

    /// The fenced blocks of `text`, with the comment (if any) on the last non-empty line before each.
    static func blocks(of text: String, file: String) -> [Block] {
        var blocks: [Block] = []
        var lastText: String?
        var open: (line: Int, language: String, marker: String?, lines: [String])?
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            if var current = open {
                if line == "```" {
                    blocks.append(
                        Block(
                            file: file, line: current.line, language: current.language, marker: current.marker,
                            text: current.lines.joined(separator: "\n") + "\n"))
                    open = nil
                    lastText = String(line)
                } else {
                    current.lines.append(String(line))
                    open = current
                }
                continue
            }
            if line.hasPrefix("```") {
                let comment = lastText.flatMap { text -> String? in
                    guard text.hasPrefix("<!--"), text.hasSuffix("-->") else { return nil }
                    return text.dropFirst(4).dropLast(3).trimmingCharacters(in: .whitespaces)
                }
                open = (index + 1, String(line.dropFirst(3)), comment, [])
            } else if !line.trimmingCharacters(in: .whitespaces).isEmpty {
                lastText = line.trimmingCharacters(in: .whitespaces)
            }
        }
        return blocks
    }

    func testEveryCommandBlockOfTheREADMEAndTheDocsRunsAsWritten() throws {
        let domain = try TestDomain.require()
        guard (try? Command.run(Self.repository + "/scripts/testpodman", ["check"]).status) == 0 else {
            let message = "podman, runc or busybox-static is missing: install them with scripts/testpodman install (the README's Podman blocks cannot run)"
            throw missingRequirement(message)
        }
        let root = try Self.checkout(domain: domain)
        defer { Self.remove(root) }
        let hostCache = "/var/run/ccgd/krb5cc"
        let cacheExisted = FileManager.default.fileExists(atPath: hostCache)

        let pages =
            ["README.md"]
            + (try FileManager.default.contentsOfDirectory(atPath: Self.repository + "/docs"))
            .filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
        var background: [Process] = []
        defer { for process in background { Self.terminate(process) } }
        var ran: [String: Int] = [:]
        for page in pages {
            let text = try String(contentsOfFile: Self.repository + "/" + page, encoding: .utf8)
            for block in Self.blocks(of: text, file: page) where ["sh", "bash", "shell", "console"].contains(block.language) {
                if let marker = block.marker, marker.hasPrefix("not run:") {
                    XCTAssertGreaterThan(
                        marker.dropFirst("not run:".count).trimmingCharacters(in: .whitespaces).count, 10,
                        "\(block.place): say why the block cannot run")
                    continue
                }
                XCTAssertNotEqual(
                    block.language, "console", "\(block.place): a console block is a transcript: mark it <!-- not run: why -->, or make it an sh block")
                if let marker = block.marker, marker.hasPrefix("run in the background; wait for ") {
                    let socket = root + "/" + marker.dropFirst("run in the background; wait for ".count)
                    background.append(try Self.startInBackground(block, in: root, until: socket))
                } else {
                    let outcome = try Self.run(block, in: root)
                    XCTAssertEqual(outcome.status, 0, "\(block.place) failed as written:\n\(block.text)---\n\(outcome.output)")
                }
                ran[page, default: 0] += 1
            }
        }
        XCTAssertGreaterThanOrEqual(ran["README.md"] ?? 0, 6, "\(ran)")
        XCTAssertGreaterThanOrEqual(ran["docs/monitoring.md"] ?? 0, 2, "\(ran)")
        XCTAssertGreaterThanOrEqual(ran["docs/exec-plugins.md"] ?? 0, 1, "\(ran)")
        XCTAssertEqual(background.count, 1)
        // The README's key check must not leave a ticket cache in ccgd's runtime directory of the host.
        if !cacheExisted { XCTAssertFalse(FileManager.default.fileExists(atPath: hostCache), "a README block wrote \(hostCache)") }
        // The daemon the README started served every block, and is still up.
        XCTAssertTrue(background.allSatisfy(\.isRunning), "the README's ccgd stopped")
    }

    /// The repository's top level, linked, with a `.testdomain` and `.build/debug` of the test's own:
    /// what a clone looks like after `scripts/demo`.
    static func checkout(domain: TestDomain) throws -> String {
        let files = FileManager.default
        // Short: Podman's runroot and the sockets' paths have limits.
        let root = "/tmp/ccgd-docs-\(UUID().uuidString.prefix(8))"
        try files.createDirectory(atPath: root + "/.build", withIntermediateDirectories: true)
        for name in try files.contentsOfDirectory(atPath: repository) where ![".git", ".build", ".testdomain"].contains(name) {
            try files.createSymbolicLink(atPath: root + "/" + name, withDestinationPath: repository + "/" + name)
        }
        try files.createSymbolicLink(atPath: root + "/.build/debug", withDestinationPath: Command.binaries)
        let real = domain["DIR"], testdomain = root + "/.testdomain"
        try files.createDirectory(atPath: testdomain + "/demo", withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        for name in try files.contentsOfDirectory(atPath: real) where !["ccgd.conf", "daemon", "demo"].contains(name) {
            try files.createSymbolicLink(atPath: testdomain + "/" + name, withDestinationPath: real + "/" + name)
        }
        // The test domain's ccgd configuration, with a daemon directory of this checkout's own.
        let configuration = try String(contentsOfFile: domain["CCGD_CONF"], encoding: .utf8)
        try configuration.replacingOccurrences(of: real + "/daemon", with: testdomain + "/daemon")
            .write(toFile: testdomain + "/ccgd.conf", atomically: true, encoding: .utf8)
        // What scripts/demo leaves for "Use it from Podman".
        let sandbox = try Command.run(
            repository + "/scripts/testpodman",
            [
                "sandbox", testdomain + "/demo/sandbox", testdomain + "/daemon/ccgd.sock", testdomain + "/daemon/run", Command.binaries + "/ccgd-oci-hook",
            ])
        guard sandbox.status == 0 else { throw DaemonProcess.Failure("scripts/testpodman sandbox failed: \(sandbox.all)") }
        return root
    }

    /// A person's shell in the checkout: no Kerberos variable of the test process, nothing of ours on the PATH.
    private static func shell(_ block: Block, in root: String) throws -> Process {
        let script = root + "/.block-\(block.file.replacingOccurrences(of: "/", with: "-"))-\(block.line).sh"
        try block.text.write(toFile: script, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-e", "-o", "pipefail", script]
        process.currentDirectoryURL = URL(fileURLWithPath: root)
        process.environment = ["PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOME": root, "LANG": "C.UTF-8"]
        return process
    }

    static func run(_ block: Block, in root: String, seconds: Double = 180) throws -> (status: Int32, output: String) {
        let outcome = try Command.run(try shell(block, in: root), logTo: root + "/.block-\(block.line).log", seconds: seconds)
        return (outcome.status, outcome.output)
    }

    static func startInBackground(_ block: Block, in root: String, until socket: String) throws -> Process {
        let process = try shell(block, in: root)
        let log = root + "/.block-\(block.line).log"
        _ = try Command.output(of: process, to: log)
        try process.run()
        for _ in 0..<400 {
            if accepts(socket) { return process }
            guard process.isRunning else { break }
            usleep(50_000)
        }
        let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
        throw DaemonProcess.Failure("\(block.place): \(socket) never accepted a connection:\n\(block.text)---\n\(output)")
    }

    /// Stops a background block: first the commands its shell runs (bash waits for them before
    /// it acts on a signal), then the shell; each by its pid, each started by this test.
    static func terminate(_ process: Process) {
        let pid = process.processIdentifier
        let children = ((try? String(contentsOfFile: "/proc/\(pid)/task/\(pid)/children", encoding: .utf8)) ?? "")
            .split(separator: " ").compactMap { Int32($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        for child in children { kill(child, SIGTERM) }
        for _ in 0..<200 where children.contains(where: { kill($0, 0) == 0 }) { usleep(50_000) }
        if process.isRunning { kill(pid, SIGTERM) }
        process.waitUntilExit()
    }

    /// The checkout, and the Podman runroot its sandbox made outside it.
    static func remove(_ root: String) {
        let script = (try? String(contentsOfFile: root + "/.testdomain/demo/sandbox/podman", encoding: .utf8)) ?? ""
        if let runroot = script.firstMatch(of: /--runroot (\S+)/)?.output.1, runroot.hasPrefix("/tmp/ccgd-demo-") {
            try? FileManager.default.removeItem(atPath: String(runroot))
        }
        try? FileManager.default.removeItem(atPath: root)
    }

    private static func accepts(_ path: String) -> Bool {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        guard path.utf8.count < MemoryLayout.size(ofValue: address.sun_path) else { return false }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: Array(path.utf8) + [0]) }
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) == 0 }
        }
    }

    func testTheBlockReaderFindsTheMarkersAsWritten() {
        let text = """
            Text.

            <!-- not run: it installs things -->
            ```sh
            scripts/install
            ```

            <!-- run in the background; wait for a.sock -->

            ```sh
            ccgd
            ```
            ```ini
            [daemon]
            ```
            """
        let blocks = Self.blocks(of: text, file: "X.md")
        XCTAssertEqual(blocks.map(\.language), ["sh", "sh", "ini"])
        XCTAssertEqual(blocks.map(\.marker), ["not run: it installs things", "run in the background; wait for a.sock", nil])
        XCTAssertEqual(blocks[0].text, "scripts/install\n")
        XCTAssertEqual(blocks.map(\.line), [4, 10, 13])
    }
}
