import Foundation
import XCTest

/// ccgd-oci-hook run by hand with an OCI state, as a runtime runs it: what it does without a
/// daemon, or with a server that is not ccgd, before any container exists. The state's pid is the
/// test's own, so a mount the hook made would land in the test's (the host's) mount namespace.
final class OCIHookTests: XCTestCase {
    private let directory = NSTemporaryDirectory() + "/ccgd-hook-\(UUID().uuidString.prefix(8))"
    private var socket: String { directory + "/nobody-listens.sock" }
    /// A runtime directory as ccgd leaves it: root's 0755, `leases` 0711.
    private var runtime: String { directory + "/run" }
    private var rootfs: String { (directory + "/bundle/rootfs").replacingOccurrences(of: "//", with: "/") }
    private var server: Process?

    override func setUpWithError() throws {
        try FileManager.default.createDirectory(atPath: directory + "/bundle/rootfs", withIntermediateDirectories: true)
        try #"{"root": {"path": "rootfs"}, "process": {"user": {"uid": 1000, "gid": 1000}}}"#
            .write(toFile: directory + "/bundle/config.json", atomically: true, encoding: .utf8)
        XCTAssertEqual(mkdir(runtime, 0o755), 0)
        XCTAssertEqual(mkdir(runtime + "/leases", 0o711), 0)
        XCTAssertEqual(chmod(runtime + "/leases", 0o711), 0)
    }

    override func tearDown() {
        if let server, server.isRunning {
            kill(server.processIdentifier, SIGKILL)
            server.waitUntilExit()
        }
        // What a hook that trusted a fake server would have mounted (once per run of it), before
        // the directory goes: removing it would descend into the host's directories.
        for target in ["/var/run/ccgd", "/etc/krb5.conf"] {
            for _ in 0..<8 where umount2(rootfs + target, Int32(MNT_DETACH)) == 0 {}
        }
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func hook(status: String, annotations: String, socket: String? = nil, arguments: [String] = []) throws -> Command.Outcome {
        let state =
            #"{"ociVersion": "1.0.2", "id": "0123456789abcdef", "status": "\#(status)", "pid": \#(getpid()), "bundle": "\#(directory)/bundle", "annotations": \#(annotations)}"#
        // A log of the test's own: where no /dev/log listens, the hook would write to /var/log otherwise.
        let log = arguments.contains("--log") ? [] : ["--log", directory + "/hook.log"]
        return try Command.run(
            "ccgd-oci-hook", ["--socket", socket ?? self.socket, "--runtime-directory", runtime] + log + arguments,
            input: Data(state.utf8))
    }

    /// A tiny HTTP server on a Unix socket that is not ccgd: it answers every POST with `lease`
    /// (`postStatus`, 201 unless told), every DELETE with 204 and any GET with no leases, runs as
    /// `uid`, and logs each request line (and each body, in `<log>.bodies`). Answers its socket and its log.
    private func fakeServer(lease: String, uid: uid_t = 0, postStatus: Int = 201) throws -> (socket: String, log: String) {
        let place = directory + "/server"
        XCTAssertEqual(mkdir(place, 0o777), 0)
        XCTAssertEqual(chmod(place, 0o777), 0)
        let (socket, log) = (place + "/ccgd.sock", place + "/requests.log")
        let script = """
            import os, socket, sys
            path, answer, log, post_status = sys.argv[1], sys.argv[2].encode(), sys.argv[3], int(sys.argv[4])
            server = socket.socket(socket.AF_UNIX)
            server.bind(path)
            server.listen(8)
            while True:
                connection, _ = server.accept()
                data = b""
                while b"\\r\\n\\r\\n" not in data:
                    chunk = connection.recv(65536)
                    if not chunk: break
                    data += chunk
                if data:
                    head, _, rest = data.partition(b"\\r\\n\\r\\n")
                    length = 0
                    for field in head.split(b"\\r\\n")[1:]:
                        name, _, value = field.partition(b":")
                        if name.strip().lower() == b"content-length": length = int(value.strip())
                    while len(rest) < length:
                        chunk = connection.recv(65536)
                        if not chunk: break
                        rest += chunk
                    if rest:
                        with open(log + ".bodies", "a") as f: f.write(rest.decode() + "\\n")
                    line = data.split(b"\\r\\n")[0].decode()
                    with open(log, "a") as f: f.write(line + "\\n")
                    method = line.split(" ")[0]
                    status, body = {"POST": (post_status, answer), "DELETE": (204, b"")}.get(method, (200, b'{"leases": []}'))
                    try: connection.sendall(b"HTTP/1.1 %d X\\r\\ncontent-length: %d\\r\\nconnection: close\\r\\n\\r\\n" % (status, len(body)) + body)
                    except OSError: pass
                connection.close()
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
        process.arguments = ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", "/usr/bin/python3", "-c", script, socket, lease, log, String(postStatus)]
        try process.run()
        server = process
        for _ in 0..<200 where !FileManager.default.fileExists(atPath: socket) && process.isRunning { usleep(25_000) }
        guard FileManager.default.fileExists(atPath: socket) else { throw DaemonProcess.Failure("the fake server did not start") }
        return (socket, log)
    }

    private func requests(_ log: String) -> [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// Lines of this process's mount table under the bundle's root file system.
    private var mountsInTheBundle: [String] {
        ((try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            .filter { $0.contains(" " + rootfs + "/") }
    }

    private func lease(directory: String, id: String = "l_fake", krb5Conf: String = "krb5.conf") -> String {
        #"{"id": "\#(id)", "directory": "\#(directory)", "files": {"keytab": "krb5.keytab", "ccache": "krb5cc", "krb5Conf": "\#(krb5Conf)"}, "mount": {"target": "/var/run/ccgd"}, "hostname": "WebApp01"}"#
    }

    func testAServerThatAnswersAnotherDirectoryGetsNothingMountedAndItsLeaseDeleted() throws {
        let fake = try fakeServer(lease: lease(directory: "/etc", krb5Conf: "shadow"))
        let outcome = try hook(status: "creating", annotations: #"{"io.ccgd.credentialspec": "WebApp01"}"#, socket: fake.socket)
        XCTAssertEqual(outcome.status, 1, outcome.all)
        XCTAssertEqual(
            outcome.errors,
            "ccgd-oci-hook: container 0123456789ab, CredSpec WebApp01: ccgd's answer names /etc as the directory of lease l_fake, which is not a lease directory in ccgd's leases directory \(runtime)/leases (--runtime-directory); the hook mounted nothing: is --socket ccgd's socket?\n"
        )
        XCTAssertEqual(mountsInTheBundle, [], "the host's /etc was mounted into the container")
        XCTAssertEqual(requests(fake.log), ["POST /v1/leases HTTP/1.1", "DELETE /v1/leases/l_fake HTTP/1.1"], "the refused lease is deleted")
    }

    /// A container with CRI-O's pod annotations (and Podman's own io.kubernetes.cri-o.*): the hook
    /// tells ccgd the pod, and ccgd's refusal fails the start with ccgd's sentence; without the
    /// pod's annotations the hook sends no pod.
    func testAPodsContainerSendsItsPodAndCcgdsRefusalFailsTheStart() throws {
        let refusal =
            #"{"error": {"code": "forbidden", "message": "the container belongs to Kubernetes pod webapp/web-1, which may not use CredSpec WebApp01 through the OCI hook.", "field": "kubernetesPod"}}"#
        let fake = try fakeServer(lease: refusal, postStatus: 403)
        let pod =
            #"{"io.ccgd.credentialspec": "WebApp01", "io.kubernetes.pod.namespace": "webapp", "io.kubernetes.pod.name": "web-1", "io.kubernetes.cri-o.TTY": "false"}"#
        let outcome = try hook(status: "creating", annotations: pod, socket: fake.socket)
        XCTAssertEqual(outcome.status, 1, outcome.all)
        XCTAssertEqual(
            outcome.errors,
            "ccgd-oci-hook: container 0123456789ab, CredSpec WebApp01: forbidden: the container belongs to Kubernetes pod webapp/web-1, which may not use CredSpec WebApp01 through the OCI hook.\n"
        )
        XCTAssertEqual(requests(fake.log), ["POST /v1/leases HTTP/1.1"], "nothing to delete")
        let podmans = #"{"io.ccgd.credentialspec": "WebApp01", "io.kubernetes.cri-o.Created": "2026-12-07T09:54:15Z", "io.kubernetes.cri-o.TTY": "false"}"#
        _ = try hook(status: "creating", annotations: podmans, socket: fake.socket)
        let bodies = ((try? String(contentsOfFile: fake.log + ".bodies", encoding: .utf8)) ?? "").split(separator: "\n")
        XCTAssertEqual(bodies.count, 2, "\(bodies)")
        XCTAssertTrue(bodies.first?.hasSuffix(#","kubernetesPod":"webapp/web-1"}"#) ?? false, "\(bodies)")
        XCTAssertFalse(bodies.last?.contains("kubernetesPod") ?? true, "Podman's own annotations mark no pod: \(bodies)")
    }

    func testALeaseDirectoryOfAnotherOwnerOrASymlinkIsRefused() throws {
        let leases = runtime + "/leases"
        XCTAssertEqual(mkdir(leases + "/l_other", 0o700), 0)
        XCTAssertEqual(chown(leases + "/l_other", 2000, 2000), 0)
        XCTAssertEqual(symlink("/etc", leases + "/l_link"), 0)
        for (id, message) in [
            (
                "l_other",
                "the directory of lease l_other belongs to 2000:2000 with mode 700, not to the container's 1000:1000 with mode 700 as asked; the hook mounted nothing."
            ),
            (
                "l_link",
                "cannot open the directory of lease l_link in \(leases) as a directory (Not a directory); the hook follows no symlink there and mounted nothing."
            ),
        ] {
            let fake = try fakeServer(lease: lease(directory: leases + "/" + id, id: id))
            defer {
                kill(server!.processIdentifier, SIGKILL)
                server!.waitUntilExit()
                try? FileManager.default.removeItem(atPath: directory + "/server")
            }
            let outcome = try hook(status: "creating", annotations: #"{"io.ccgd.credentialspec": "WebApp01"}"#, socket: fake.socket)
            XCTAssertEqual(outcome.status, 1, outcome.all)
            XCTAssertTrue(outcome.errors.hasSuffix("CredSpec WebApp01: \(message)\n"), outcome.errors)
            XCTAssertEqual(mountsInTheBundle, [], "\(id) was mounted")
            XCTAssertEqual(requests(fake.log).last, "DELETE /v1/leases/\(id) HTTP/1.1")
        }
    }

    func testAServerOfAnotherUserIsNeverAsked() throws {
        let fake = try fakeServer(lease: lease(directory: "/etc"), uid: 65534)
        let outcome = try hook(status: "creating", annotations: #"{"io.ccgd.credentialspec": "WebApp01"}"#, socket: fake.socket)
        XCTAssertEqual(outcome.status, 1, outcome.all)
        XCTAssertEqual(
            outcome.errors,
            "ccgd-oci-hook: container 0123456789ab, CredSpec WebApp01: the server on \(fake.socket) runs as uid 65534, neither root nor ccgd's uid 0 (--daemon-uid); is --socket ccgd's socket?\n"
        )
        let poststop = try hook(status: "stopped", annotations: #"{"io.ccgd.credentialspec": "WebApp01"}"#, socket: fake.socket)
        XCTAssertEqual(poststop.status, 0, poststop.all)
        XCTAssertTrue(poststop.errors.contains("runs as uid 65534, neither root nor ccgd's uid 0"), poststop.errors)
        XCTAssertEqual(requests(fake.log), [], "nothing was sent to it, not even the container's id")
        XCTAssertEqual(mountsInTheBundle, [])

        // ccgd's own user, when the hook is told who that is, is asked (and its answer checked).
        let told = try hook(
            status: "creating", annotations: #"{"io.ccgd.credentialspec": "WebApp01"}"#, socket: fake.socket,
            arguments: ["--daemon-uid", "65534"])
        XCTAssertTrue(told.errors.contains("ccgd's answer names /etc as the directory of lease l_fake"), told.errors)
        XCTAssertEqual(requests(fake.log), ["POST /v1/leases HTTP/1.1", "DELETE /v1/leases/l_fake HTTP/1.1"])
    }

    func testAContainerWithoutTheAnnotationIsLeftAloneWithoutAskingCcgd() throws {
        for status in ["creating", "stopped"] {
            let outcome = try hook(status: status, annotations: #"{"io.podman.annotations.autoremove": "TRUE"}"#)
            XCTAssertEqual(outcome.status, 0, outcome.all)
            XCTAssertEqual(outcome.all, "", "nothing to say, and ccgd (not running) was not asked")
        }
    }

    func testDaemonDownFailsTheStartWithOneLineNamingTheCredSpecAndTheCause() throws {
        let outcome = try hook(status: "creating", annotations: #"{"io.ccgd.credentialspec": "WebApp01"}"#)
        XCTAssertEqual(outcome.status, 1)
        XCTAssertEqual(outcome.output, "")
        XCTAssertEqual(
            outcome.errors,
            "ccgd-oci-hook: container 0123456789ab, CredSpec WebApp01: cannot connect to ccgd at \(socket) (No such file or directory); is ccgd running (systemctl status ccgd), or is --socket in the hook's file wrong?\n"
        )
    }

    func testAPoststopFailureIsLoggedAndDoesNotFailTheRemoval() throws {
        let outcome = try hook(status: "stopped", annotations: #"{"io.ccgd.credentialspec": "WebApp01"}"#)
        XCTAssertEqual(outcome.status, 0, "the container's removal goes on")
        XCTAssertTrue(
            outcome.errors.hasPrefix("ccgd-oci-hook: container 0123456789ab: cannot delete its ccgd lease: cannot connect to ccgd at \(socket)"), outcome.errors
        )
    }

    func testHelpSaysWhatTheHookDoesAndHowItIsCalled() throws {
        let outcome = try Command.run("ccgd-oci-hook", ["--help"])
        XCTAssertEqual(outcome.status, 0, outcome.all)
        for phrase in [
            "io.ccgd.credentialspec=NAME", "--runtime-directory PATH", "--daemon-uid UID", "/var/log/ccgd-oci-hook.log",
            "usage: ccgd-oci-hook [--socket PATH]",
        ] {
            XCTAssertTrue(outcome.output.contains(phrase), outcome.output)
        }
        XCTAssertEqual(outcome.errors, "")
    }

    func testWithoutASystemLogItsLinesGoToAFileOfItsOwn() throws {
        // A private mount namespace: an empty /var/log, and no syslog socket at /dev/log.
        let state = directory + "/state.json"
        try
            #"{"ociVersion": "1.0.2", "id": "0123456789abcdef", "status": "stopped", "pid": 0, "bundle": "\#(directory)/bundle", "annotations": {"io.ccgd.credentialspec": "WebApp01"}}"#
            .write(toFile: state, atomically: true, encoding: .utf8)
        let script =
            #"mount -t tmpfs none /var/log && { [ ! -S /dev/log ] || mount --bind /dev/null /dev/log; } && "$0" --socket "$1" --runtime-directory "$2" <"$3"; echo "exit $?"; cat /var/log/ccgd-oci-hook.log"#
        let outcome = try Command.run(
            "/usr/bin/unshare",
            [
                "--mount", "--propagation", "private", "/bin/sh", "-c", script,
                Command.binaries + "/ccgd-oci-hook", directory + "/none.sock", runtime, state,
            ])
        XCTAssertTrue(outcome.output.hasPrefix("exit 0\nccgd-oci-hook: container 0123456789ab: cannot delete its ccgd lease"), outcome.all)
    }

    func testInlineCredSpecsAndBadAnnotationsAreRefusedBeforeAskingCcgd() throws {
        let inline = try hook(status: "creating", annotations: #"{"io.ccgd.credentialspec": "{\"CmsPlugins\": []}"}"#)
        XCTAssertEqual(inline.status, 1)
        XCTAssertTrue(inline.errors.contains("inline CredSpecs are not accepted from annotations"), inline.errors)
        let krb5 = try hook(status: "creating", annotations: #"{"io.ccgd.credentialspec": "WebApp01", "io.ccgd.krb5conf": "yes"}"#)
        XCTAssertTrue(krb5.errors.contains(#"io.ccgd.krb5conf may only be "none", not "yes"."#), krb5.errors)
        let path = try hook(status: "creating", annotations: #"{"io.ccgd.credentialspec": "WebApp01", "io.ccgd.mount-path": "run/x"}"#)
        XCTAssertTrue(path.errors.contains(#"io.ccgd.mount-path must be an absolute path, not "run/x"."#), path.errors)
    }

    func testAUidOutsideTheMappingsIsRefused() throws {
        try
            #"{"root": {"path": "rootfs"}, "process": {"user": {"uid": 70000, "gid": 0}}, "linux": {"uidMappings": [{"containerID": 0, "hostID": 100000, "size": 65536}]}}"#
            .write(toFile: directory + "/bundle/config.json", atomically: true, encoding: .utf8)
        let outcome = try hook(status: "creating", annotations: #"{"io.ccgd.credentialspec": "WebApp01"}"#)
        XCTAssertEqual(outcome.status, 1)
        XCTAssertTrue(outcome.errors.contains("the container's uid 70000 is in none of its uid mappings"), outcome.errors)
    }
}
