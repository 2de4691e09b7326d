import Foundation
import Synchronization
import TestSupport
import XCTest

/// Real Podman (Debian's, with runc) in a storage of its own under a temporary directory, with a
/// minimal image built from this host's files by scripts/testpodman image: busybox and the MIT
/// Kerberos client tools with their libraries, a user 1000, and no /etc/krb5.conf (the hook's
/// mount of the lease's is what the tools read). Installed by scripts/testpodman install
/// (scripts/test runs it), as Samba is by scripts/testdomain.
final class PodmanSandbox: @unchecked Sendable {
    static let image = "localhost/ccgd-hook-test"
    /// A non-root user of the image.
    static let user = (uid: 1000, gid: 1000)

    let root: String
    var storage: String { root + "/storage" }
    var runroot: String { root + "/runroot" }
    /// TEST SETUP ONLY, never installed: this sandbox refuses setrlimit, so the runtime Podman
    /// calls is a wrapper (scripts/testpodman wrapper) that drops process.rlimits from the
    /// bundle's config.json, then runs runc.
    var runtime: String { root + "/runc-without-rlimits" }

    /// Made once per test class that uses it (the image import is the slow part), until the
    /// class removes it. A sandbox that cannot be made (the image, Podman itself) fails the
    /// test with the reason.
    static func require() throws -> PodmanSandbox {
        let made = shared.withLock { made in
            if made == nil, (try? Command.run(script, ["check"]).status) == 0 { made = Result { try PodmanSandbox() } }
            return made
        }
        if let made { return try made.get() }
        let message = "podman, runc or busybox-static is missing: install them with scripts/testpodman install (Podman tests skipped)"
        throw missingRequirement(message)
    }

    private static let shared = Mutex<Result<PodmanSandbox, Error>?>(nil)

    private init() throws {
        root = NSTemporaryDirectory() + "/ccgd-podman-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let wrapper = try Command.run(Self.script, ["wrapper", runtime])
        guard wrapper.status == 0 else { throw DaemonProcess.Failure("scripts/testpodman wrapper failed: \(wrapper.all)") }
        let image = try Command.run(Self.script, ["image", root, Self.image] + globalOptions(hooks: nil))
        guard image.status == 0 else { throw DaemonProcess.Failure("scripts/testpodman image failed: \(image.all)") }
    }

    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    private static let script = repository.appendingPathComponent("scripts/testpodman").path

    /// `podman` with this sandbox's storage and runtime, and the hooks in `hooks` (if any).
    func podman(_ arguments: [String], hooks: String? = nil) throws -> Command.Outcome {
        try Command.run("/usr/bin/podman", globalOptions(hooks: hooks) + arguments)
    }

    func globalOptions(hooks: String?) -> [String] {
        // cgroupfs and file events: PID 1 is not systemd here, and there is no journal.
        ["--root", storage, "--runroot", runroot, "--cgroup-manager", "cgroupfs", "--events-backend", "file", "--runtime", runtime]
            + (hooks.map { ["--hooks-dir", $0] } ?? [])
    }

    /// The repository's hooks.d file with the hook built beside the tests and `arguments` in place
    /// of its own (the daemon's --socket and --runtime-directory, a --log): its `when` and
    /// `stages` are what Podman is tested with.
    static func hooksDirectory(in directory: String, arguments: [String]) throws -> String {
        let shipped = try Data(contentsOf: repository.appendingPathComponent("oci/ccgd-hook.json"))
        var document = try XCTUnwrap(JSONSerialization.jsonObject(with: shipped) as? [String: Any])
        var hook = try XCTUnwrap(document["hook"] as? [String: Any])
        hook["path"] = Command.binaries + "/ccgd-oci-hook"
        hook["args"] = ["ccgd-oci-hook"] + arguments
        document["hook"] = hook
        let hooks = directory + "/hooks.d"
        try FileManager.default.createDirectory(atPath: hooks, withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: document).write(to: URL(fileURLWithPath: hooks + "/ccgd.json"))
        return hooks
    }
}

extension PodmanSandbox {
    /// Deletes the storage (containers, image) and the directory; the next `require` makes another.
    static func removeShared() {
        let made = shared.withLock { made in
            defer { made = nil }
            return made
        }
        if case let .success(sandbox)? = made { sandbox.remove() }
    }

    func remove() {
        _ = try? podman(["system", "reset", "--force"])
        try? FileManager.default.removeItem(atPath: root)
    }
}
