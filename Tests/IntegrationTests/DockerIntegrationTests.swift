import Foundation
import XCTest

/// ccgd-runtime with real Docker 20.10 and containerd 1.6 against the test domain: `docker run
/// --runtime ccgd -e CCGD_CREDENTIALSPEC=WebApp01 …` and `ctr run --runc-binary … --annotation
/// io.ccgd.credentialspec=WebApp01 …` give the container the gMSA's identity with no environment
/// variable for Kerberos; a container that asks for nothing is left alone (see DockerSandbox).
final class DockerIntegrationTests: XCTestCase {
    private var daemon: DaemonProcess?
    private var hookLog: String { (daemon?.root ?? "") + "/hook.log" }
    private var containers: [String] = []

    override func tearDown() {
        if let sandbox = try? DockerSandbox.require() {
            for name in containers { _ = try? sandbox.docker(["rm", "-f", name]) }
        }
        daemon?.remove()
    }

    override class func tearDown() {
        DockerSandbox.removeShared()
    }

    /// A ccgd for the test domain, and the hooks.d file ccgd-runtime reads pointing at it.
    private func started() throws -> (DaemonProcess, DockerSandbox) {
        let domain = try TestDomain.require()
        let sandbox = try DockerSandbox.require()
        let daemon = try DaemonProcess(domain: domain)
        self.daemon = daemon
        try daemon.start()
        try sandbox.useHook(arguments: ["--socket", daemon.socket, "--runtime-directory", daemon.runtime, "--log", hookLog])
        return (daemon, sandbox)
    }

    /// `docker run` through ccgd-runtime, on the host's network (the test domain's DC is on
    /// 127.0.0.1), never pulling.
    private func dockerRun(_ sandbox: DockerSandbox, _ arguments: [String], script: String) throws -> Command.Outcome {
        try sandbox.docker(
            ["run", "--pull", "never", "--runtime", "ccgd", "--network", "host"] + arguments
                + [DockerSandbox.image, "/bin/sh", "-c", script])
    }

    /// A container name of this test's, removed at its end.
    private func containerName() -> String {
        let name = "ccgd-test-\(UUID().uuidString.prefix(8).lowercased())"
        containers.append(name)
        return name
    }

    private func leases(_ daemon: DaemonProcess) throws -> [[String: Any]] {
        let answer = try Command.run("/usr/bin/curl", ["-s", "--unix-socket", daemon.socket, "http://ccgd/v1/leases"])
        let object = try JSONSerialization.jsonObject(with: Data(answer.output.utf8)) as? [String: Any]
        return object?["leases"] as? [[String: Any]] ?? []
    }

    /// Waits (up to 20 s) until the daemon holds `count` leases; answers the leases last seen.
    @discardableResult
    private func waitForLeases(_ daemon: DaemonProcess, count: Int) throws -> [[String: Any]] {
        var seen: [[String: Any]] = []
        for _ in 0..<200 {
            seen = try leases(daemon)
            if seen.count == count { break }
            usleep(100_000)
        }
        return seen
    }

    private func metric(_ daemon: DaemonProcess, _ line: String) throws -> Double? {
        let text = try Command.run("/usr/bin/curl", ["-s", "--unix-socket", daemon.socket, "http://ccgd/metrics"]).output
        for row in text.split(separator: "\n") where row.hasPrefix(line + " ") { return Double(row.dropFirst(line.count + 1)) }
        return nil
    }

    private static let createdLeases = #"ccgd_http_requests_total{route="create_lease",status="201"}"#

    /// What a container prints about its Kerberos identity, as "== NAME" sections.
    private func identityScript(_ domain: TestDomain) -> String {
        """
        echo "== env"; env
        echo "== klist"; klist
        echo "== kvno"; kvno host/webapp01.\(domain.dnsDomain)
        echo "== owners"; stat -c '%u %g %a %n' /var/run/ccgd/krb5cc /etc/krb5.conf
        """
    }

    private func assertHasTheGMSAIdentity(
        _ outcome: Command.Outcome, _ domain: TestDomain, owner: (uid: Int, gid: Int),
        file: StaticString = #filePath, line: UInt = #line
    ) {
        let sections = Self.sections(outcome.output)
        XCTAssertEqual(outcome.status, 0, outcome.all, file: file, line: line)
        XCTAssertFalse(sections["env", default: ""].contains("KRB5"), "no Kerberos variable is set: \(outcome.all)", file: file, line: line)
        XCTAssertTrue(sections["klist", default: ""].contains("Default principal: WebApp01$@\(domain.realm)"), outcome.all, file: file, line: line)
        XCTAssertTrue(sections["klist", default: ""].contains("krbtgt/\(domain.realm)@\(domain.realm)"), outcome.all, file: file, line: line)
        XCTAssertTrue(sections["kvno", default: ""].contains("host/webapp01.\(domain.dnsDomain)@\(domain.realm): kvno = "), outcome.all, file: file, line: line)
        let owners = sections["owners", default: ""].split(separator: "\n").map { $0.split(separator: " ").prefix(3).joined(separator: " ") }
        XCTAssertEqual(owners, Array(repeating: "\(owner.uid) \(owner.gid) 600", count: 2), outcome.all, file: file, line: line)
    }

    // MARK: Docker

    func testDockerRunWithTheVariableHasTheGMSAIdentityAsANonRootUser() throws {
        let (daemon, sandbox) = try started()
        let outcome = try dockerRun(
            sandbox,
            [
                "--rm", "--user", "\(DockerSandbox.user.uid):\(DockerSandbox.user.gid)", "--hostname", "WebApp01",
                "-e", "CCGD_CREDENTIALSPEC=WebApp01",
            ], script: identityScript(daemon.domain))
        assertHasTheGMSAIdentity(outcome, daemon.domain, owner: DockerSandbox.user)
        XCTAssertTrue(Self.sections(outcome.output)["env", default: ""].contains("CCGD_CREDENTIALSPEC=WebApp01"), "the variable stays: \(outcome.all)")
        XCTAssertEqual(try waitForLeases(daemon, count: 0).count, 0, "the lease is gone with the container")
        XCTAssertEqual(try metric(daemon, Self.createdLeases), 1)
        XCTAssertEqual((try? String(contentsOfFile: hookLog, encoding: .utf8)) ?? "", "", "no warning with --hostname WebApp01")
    }

    /// One container through its life: exec into it, restart, kill, start again, rm. Each start
    /// makes a lease held by the new init process; each end removes it.
    func testExecStopKillRestartAndRmKeepWorkingAndLeaveNoLease() throws {
        let (daemon, sandbox) = try started()
        let name = containerName()
        let user = "\(DockerSandbox.user.uid):\(DockerSandbox.user.gid)"
        let run = try dockerRun(
            sandbox, ["-d", "--name", name, "--user", user, "--hostname", "WebApp01", "-e", "CCGD_CREDENTIALSPEC=WebApp01"],
            script: "exec sleep 600")
        XCTAssertEqual(run.status, 0, run.all)
        let first = try waitForLeases(daemon, count: 1)
        XCTAssertEqual(first.count, 1, "the running container has its lease")
        let exec = try sandbox.docker(["exec", "--user", user, name, "/bin/sh", "-c", identityScript(daemon.domain)])
        assertHasTheGMSAIdentity(exec, daemon.domain, owner: DockerSandbox.user)

        let restart = try sandbox.docker(["restart", "-t", "1", name])
        XCTAssertEqual(restart.status, 0, restart.all)
        let second = try waitForLeases(daemon, count: 1)
        XCTAssertEqual(second.count, 1, "one lease after a restart")
        XCTAssertNotEqual(second.first?["id"] as? String, first.first?["id"] as? String, "the old container's lease ended, the new start made one")
        let afterRestart = try sandbox.docker(["exec", "--user", user, name, "klist", "-s"])
        XCTAssertEqual(afterRestart.status, 0, "the restarted container has a valid ticket: \(afterRestart.all)")

        let kill = try sandbox.docker(["kill", name])
        XCTAssertEqual(kill.status, 0, kill.all)
        XCTAssertEqual(try waitForLeases(daemon, count: 0).count, 0, "a killed container keeps no lease")

        let start = try sandbox.docker(["start", name])
        XCTAssertEqual(start.status, 0, start.all)
        XCTAssertEqual(try waitForLeases(daemon, count: 1).count, 1)
        let stop = try sandbox.docker(["stop", "-t", "1", name])
        XCTAssertEqual(stop.status, 0, stop.all)
        XCTAssertEqual(try waitForLeases(daemon, count: 0).count, 0, "a stopped container keeps no lease")

        XCTAssertEqual(try sandbox.docker(["start", name]).status, 0)
        XCTAssertEqual(try waitForLeases(daemon, count: 1).count, 1)
        let remove = try sandbox.docker(["rm", "-f", name])
        XCTAssertEqual(remove.status, 0, remove.all)
        XCTAssertEqual(try waitForLeases(daemon, count: 0).count, 0, "no lease after docker rm")
        XCTAssertEqual(try metric(daemon, Self.createdLeases), 4, "one lease per start")
    }

    func testADockerContainerThatAsksForNothingIsUntouchedAndGetsNoLease() throws {
        let (daemon, sandbox) = try started()
        let name = containerName()
        let run = try dockerRun(sandbox, ["-d", "--name", name, "-e", "CCGD_MOUNT_PATH=/elsewhere"], script: "exec sleep 600")
        XCTAssertEqual(run.status, 0, run.all)
        let id = try sandbox.docker(["inspect", "--format", "{{.Id}}", name]).output.trimmingCharacters(in: .whitespacesAndNewlines)
        // The bundle containerd made for the running container, as the runtime got it.
        let bundle = sandbox.root + "/exec/containerd/daemon/io.containerd.runtime.v2.task/moby/" + id
        let configuration = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bundle + "/config.json"))) as? [String: Any])
        // Docker 20.10 writes an empty hooks object of its own.
        XCTAssertEqual((configuration["hooks"] as? [String: Any])?.isEmpty, true, "no hook was added: \(configuration["hooks"] ?? "none")")
        XCTAssertNil(configuration["annotations"], "no annotation was added")
        XCTAssertFalse(try FileManager.default.contentsOfDirectory(atPath: bundle).contains { $0.hasPrefix(".config.json") }, "no temporary file")
        let inside = try sandbox.docker([
            "exec", name, "/bin/sh", "-c",
            "ls /var/run/ccgd; test -e /etc/krb5.conf && echo has-krb5.conf; grep -cE ' /var/run/ccgd | /etc/krb5.conf ' /proc/self/mounts",
        ])
        XCTAssertTrue(inside.errors.contains("/var/run/ccgd: No such file or directory"), inside.all)
        XCTAssertEqual(inside.output, "0\n", inside.all)
        XCTAssertNil(try metric(daemon, Self.createdLeases), "no lease was asked for")
    }

    func testAnUnknownCredSpecFailsDockerRunWithTheHooksMessageAndLeavesNoLease() throws {
        let (daemon, sandbox) = try started()
        let outcome = try dockerRun(sandbox, ["--rm", "-e", "CCGD_CREDENTIALSPEC=NoSuchSpec"], script: "echo started")
        XCTAssertNotEqual(outcome.status, 0, outcome.all)
        XCTAssertFalse(outcome.output.contains("started"), outcome.all)
        XCTAssertTrue(outcome.errors.contains("ccgd-oci-hook: container "), outcome.all)
        XCTAssertTrue(outcome.errors.contains(", CredSpec NoSuchSpec: credspec.not_found: no CredSpec NoSuchSpec in \(daemon.credSpecs)"), outcome.all)
        XCTAssertEqual(try leases(daemon).count, 0)
    }

    func testAnAnnotationAndAVariableNamingDifferentCredSpecsAreRefusedByTheShim() throws {
        let (daemon, sandbox) = try started()
        // Docker 20.10 sets no annotations; containerd's ctr does.
        let name = "conflict-\(UUID().uuidString.prefix(8).lowercased())"
        let outcome = try sandbox.ctr([
            "run", "--rm", "--net-host", "--runc-binary", sandbox.ctrRuntime, "--annotation", "io.ccgd.credentialspec=WebApp01",
            "--env", "CCGD_CREDENTIALSPEC=WebApp02", DockerSandbox.image, name, "/bin/sh", "-c", "echo started",
        ])
        XCTAssertNotEqual(outcome.status, 0, outcome.all)
        XCTAssertTrue(
            outcome.errors.contains(
                "OCI runtime create failed: ccgd-runtime: container \(name.prefix(12)): the container asks for io.ccgd.credentialspec=WebApp01 by annotation but CCGD_CREDENTIALSPEC=WebApp02 in its environment; give one of them, or the same value in both."
            ),
            outcome.all)
        XCTAssertNil(try metric(daemon, Self.createdLeases))
    }

    // MARK: containerd

    func testCtrRunWithTheShimAsRuncBinaryHasTheGMSAIdentity() throws {
        let (daemon, sandbox) = try started()
        // ctr 1.6 has no --user or --hostname: the container runs as root with the host's name.
        let outcome = try sandbox.ctr([
            "run", "--rm", "--net-host", "--runc-binary", sandbox.ctrRuntime, "--annotation", "io.ccgd.credentialspec=WebApp01",
            DockerSandbox.image, "ctr-\(UUID().uuidString.prefix(8).lowercased())", "/bin/sh", "-c", identityScript(daemon.domain),
        ])
        assertHasTheGMSAIdentity(outcome, daemon.domain, owner: (0, 0))
        XCTAssertEqual(try waitForLeases(daemon, count: 0).count, 0, "the lease is gone with the container")
        XCTAssertEqual(try metric(daemon, Self.createdLeases), 1)
    }

    func testCtrTaskKillAndDeleteThroughTheShimEndTheLease() throws {
        let (daemon, sandbox) = try started()
        let name = "ctr-\(UUID().uuidString.prefix(8).lowercased())"
        defer {
            _ = try? sandbox.ctr(["task", "kill", "-s", "KILL", name]); _ = try? sandbox.ctr(["task", "delete", name]);
            _ = try? sandbox.ctr(["containers", "delete", name])
        }
        let run = try sandbox.ctr([
            "run", "-d", "--net-host", "--runc-binary", sandbox.ctrRuntime, "--env", "CCGD_CREDENTIALSPEC=WebApp01",
            DockerSandbox.image, name, "/bin/sleep", "600",
        ])
        XCTAssertEqual(run.status, 0, run.all)
        XCTAssertEqual(try waitForLeases(daemon, count: 1).count, 1, "the running task has its lease")
        let exec = try sandbox.ctr(["task", "exec", "--exec-id", "check", name, "/bin/sh", "-c", "klist -s && echo has-ticket"])
        XCTAssertEqual(exec.output, "has-ticket\n", exec.all)
        XCTAssertEqual(try sandbox.ctr(["task", "kill", "-s", "KILL", name]).status, 0)
        for _ in 0..<100 where try sandbox.ctr(["task", "ls"]).output.contains("RUNNING") { usleep(100_000) }
        let delete = try sandbox.ctr(["task", "delete", name])
        XCTAssertEqual(delete.status, 0, delete.all)
        XCTAssertEqual(try waitForLeases(daemon, count: 0).count, 0, "no lease after the task's delete")
    }

    func testACtrContainerThatAsksForNothingGetsNoLease() throws {
        let (daemon, sandbox) = try started()
        let outcome = try sandbox.ctr([
            "run", "--rm", "--net-host", "--runc-binary", sandbox.ctrRuntime, DockerSandbox.image,
            "ctr-\(UUID().uuidString.prefix(8).lowercased())", "/bin/sh", "-c",
            "ls /var/run/ccgd 2>&1; grep -cE ' /var/run/ccgd | /etc/krb5.conf ' /proc/self/mounts",
        ])
        XCTAssertEqual(outcome.output, "ls: /var/run/ccgd: No such file or directory\n0\n", outcome.all)
        XCTAssertNil(try metric(daemon, Self.createdLeases))
    }

    /// What containerd's CRI plug-in gives the runtime of a Kubernetes RuntimeClass (BinaryName):
    /// annotations io.kubernetes.cri.*; the shim adds the hook as for any container, and ccgd
    /// refuses the pod's request (no [credspec] section says oci-hook-in-pods = yes), pointing to
    /// the CSI volume.
    func testAKubernetesPodsContainerThatAsksIsRefusedByTheHookPointingToTheCSIVolume() throws {
        let (daemon, sandbox) = try started()
        let name = "pod-\(UUID().uuidString.prefix(8).lowercased())"
        let outcome = try sandbox.ctr([
            "run", "--rm", "--net-host", "--runc-binary", sandbox.ctrRuntime,
            "--annotation", "io.kubernetes.cri.container-type=container", "--annotation", "io.kubernetes.cri.sandbox-name=web",
            "--env", "CCGD_CREDENTIALSPEC=WebApp01", DockerSandbox.image, name, "/bin/sh", "-c", "echo started",
        ])
        XCTAssertNotEqual(outcome.status, 0, outcome.all)
        XCTAssertFalse(outcome.output.contains("started"), outcome.all)
        // The hook's line, as runc and containerd pass it on (they may escape its quotes).
        XCTAssertTrue(
            outcome.errors.contains("forbidden: the container belongs to Kubernetes pod unknown/web, which may not use CredSpec WebApp01 through the OCI hook"),
            outcome.all)
        XCTAssertTrue(outcome.errors.contains("or set oci-hook-in-pods = yes in [credspec"), outcome.all)
        XCTAssertNil(try metric(daemon, Self.createdLeases))
    }

    /// The output of a script that prints "== NAME" before each part, by part.
    private static func sections(_ output: String) -> [String: String] {
        var sections: [String: String] = [:]
        var current = ""
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("== ") { current = String(line.dropFirst(3)); continue }
            sections[current, default: ""] += line + "\n"
        }
        return sections
    }
}
