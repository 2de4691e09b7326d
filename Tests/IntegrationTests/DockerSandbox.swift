import Foundation
import TestSupport
import XCTest

/// Real Docker (Debian's docker.io 20.10, with its own containerd) and a real containerd (1.6),
/// each started by scripts/testdocker in a directory of the test run's own, with the test image
/// of scripts/testpodman (busybox, the MIT Kerberos tools, a user 1000, no /etc/krb5.conf)
/// imported into both. dockerd knows ccgd-runtime as the runtime `ccgd`, registered as an
/// operator would in daemon.json, with `runtimeArgs` naming the hooks.d file the tests write
/// for their ccgd; ctr, which passes no arguments, gets a two-line wrapper that does the same.
/// Installed by scripts/testdocker install (scripts/test runs it).
final class DockerSandbox: @unchecked Sendable {
    static let image = "localhost/ccgd-runtime-test:latest"
    /// The containerd namespace scripts/testdocker imports the image into.
    static let namespace = "ccgd-test"
    /// A non-root user of the image.
    static let user = (uid: 1000, gid: 1000)

    let root: String
    var dockerSocket: String { root + "/docker.sock" }
    var containerdSocket: String { root + "/containerd.sock" }
    /// The hooks.d file ccgd-runtime reads (written by `useHook(arguments:)`).
    var hooksFile: String { root + "/hooks.d/ccgd.json" }
    var shim: String { Command.binaries + "/ccgd-runtime" }
    /// What `ctr run --runc-binary` gets: ccgd-runtime with --ccgd-hooks-file.
    var ctrRuntime: String { root + "/ccgd-runtime-for-ctr" }

    /// Started once per test run: two daemons and two image imports. A sandbox that cannot be
    /// made fails the test with the reason.
    static func require() throws -> DockerSandbox {
        if let shared { return try shared.get() }
        let message = "docker.io or containerd is missing: install them with scripts/testdocker install (Docker and containerd tests skipped)"
        throw missingRequirement(message)
    }

    private static let shared: Result<DockerSandbox, Error>? = {
        guard (try? Command.run(script, ["check"]).status) == 0 else { return nil }
        return Result { try DockerSandbox() }
    }()

    private init() throws {
        // Short: dockerd's and containerd's sockets live below it.
        root = URL(fileURLWithPath: NSTemporaryDirectory()).appendingPathComponent("ccgd-docker-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: root + "/hooks.d", withIntermediateDirectories: true)
        let daemonJSON: [String: Any] = ["runtimes": ["ccgd": ["path": shim, "runtimeArgs": ["--ccgd-hooks-file", hooksFile]]]]
        try JSONSerialization.data(withJSONObject: daemonJSON).write(to: URL(fileURLWithPath: root + "/daemon.json"))
        try "#!/bin/sh\nexec \(shim) --ccgd-hooks-file \(hooksFile) \"$@\"\n".write(toFile: ctrRuntime, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: ctrRuntime)
        for step in [["dockerd", root, "--config-file", root + "/daemon.json"], ["containerd", root], ["image", root, Self.image]] {
            let outcome = try Command.run(Self.script, step)
            guard outcome.status == 0 else {
                Self.stop(root)
                throw DaemonProcess.Failure("scripts/testdocker \(step[0]) failed: \(outcome.all)")
            }
        }
    }

    private static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("scripts/testdocker").path

    /// Points the hook that ccgd-runtime adds at a test's ccgd: the repository's hooks.d file with
    /// the hook built beside the tests and `arguments` (see PodmanSandbox.hooksDirectory).
    func useHook(arguments: [String]) throws {
        _ = try PodmanSandbox.hooksDirectory(in: root, arguments: arguments)
    }

    /// Docker 20.10's own client (another on the PATH may be newer).
    func docker(_ arguments: [String]) throws -> Command.Outcome {
        try Command.run("/usr/bin/docker", ["-H", "unix://" + dockerSocket] + arguments)
    }

    func ctr(_ arguments: [String]) throws -> Command.Outcome {
        try Command.run("/usr/bin/ctr", ["--address", containerdSocket, "--namespace", Self.namespace] + arguments)
    }

    /// Stops both daemons (by the pids scripts/testdocker recorded) and deletes the directory.
    static func removeShared() {
        if case let .success(sandbox)? = shared {
            stop(sandbox.root)
            try? FileManager.default.removeItem(atPath: sandbox.root)
        }
    }

    private static func stop(_ root: String) {
        _ = try? Command.run(script, ["stop", root])
    }
}
