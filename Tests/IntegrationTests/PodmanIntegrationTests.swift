import Foundation
import XCTest

/// The OCI hook with real Podman against the test domain: `podman run --annotation
/// io.ccgd.credentialspec=WebApp01 …` gives the container the gMSA's identity with no
/// environment variable. Podman runs runc through a test-only wrapper (see PodmanSandbox).
final class PodmanIntegrationTests: XCTestCase {
    private var daemon: DaemonProcess?
    private var hooks = ""
    private var hookLog: String { (daemon?.root ?? "") + "/hook.log" }

    override func tearDown() {
        daemon?.remove()
    }

    override class func tearDown() {
        PodmanSandbox.removeShared()
    }

    /// A ccgd for the test domain, with a CredSpec WebApps (WebApp01 and the additional account
    /// WebApp02), and the hooks.d file pointing at its socket.
    private func started(configuration: String = "") throws -> (DaemonProcess, PodmanSandbox) {
        let domain = try TestDomain.require()
        let sandbox = try PodmanSandbox.require()
        let daemon = try DaemonProcess(domain: domain, extraConfiguration: configuration)
        self.daemon = daemon
        let original = try Data(contentsOf: URL(fileURLWithPath: daemon.credSpecs + "/WebApp01.json"))
        var spec = try XCTUnwrap(JSONSerialization.jsonObject(with: original) as? [String: Any])
        var directory = try XCTUnwrap(spec["ActiveDirectoryConfig"] as? [String: Any])
        var accounts = try XCTUnwrap(directory["GroupManagedServiceAccounts"] as? [[String: Any]])
        accounts.append(["Name": "WebApp02", "Scope": domain.dnsDomain])
        directory["GroupManagedServiceAccounts"] = accounts
        spec["ActiveDirectoryConfig"] = directory
        try JSONSerialization.data(withJSONObject: spec).write(to: URL(fileURLWithPath: daemon.credSpecs + "/WebApps.json"))
        try daemon.start()
        hooks = try PodmanSandbox.hooksDirectory(
            in: daemon.root,
            arguments: [
                "--socket", daemon.socket, "--runtime-directory", daemon.runtime,
                "--log", hookLog,
            ])
        return (daemon, sandbox)
    }

    private func run(_ sandbox: PodmanSandbox, _ arguments: [String], script: String) throws -> Command.Outcome {
        try sandbox.podman(["run", "--rm", "--network", "host"] + arguments + [PodmanSandbox.image, "/bin/sh", "-c", script], hooks: hooks)
    }

    /// Every lease the daemon has (the test runs as root, which sees them all).
    private func leases(_ daemon: DaemonProcess) throws -> [[String: Any]] {
        let answer = try Command.run("/usr/bin/curl", ["-s", "--unix-socket", daemon.socket, "http://ccgd/v1/leases"])
        let object = try JSONSerialization.jsonObject(with: Data(answer.output.utf8)) as? [String: Any]
        return object?["leases"] as? [[String: Any]] ?? []
    }

    /// A line of the daemon's /metrics, by its name and labels.
    private func metric(_ daemon: DaemonProcess, _ line: String) throws -> Double? {
        let text = try Command.run("/usr/bin/curl", ["-s", "--unix-socket", daemon.socket, "http://ccgd/metrics"]).output
        for row in text.split(separator: "\n") where row.hasPrefix(line + " ") { return Double(row.dropFirst(line.count + 1)) }
        return nil
    }

    private var hookLogText: String { (try? String(contentsOfFile: hookLog, encoding: .utf8)) ?? "" }

    func testAnnotatedContainerHasTheGMSAIdentityAsANonRootUserWithoutEnvironment() throws {
        let (daemon, sandbox) = try started()
        let realm = daemon.domain.realm
        let outcome = try run(
            sandbox,
            [
                "--user", "\(PodmanSandbox.user.uid):\(PodmanSandbox.user.gid)", "--hostname", "WebApp01",
                "--annotation", "io.ccgd.credentialspec=WebApp01",
            ],
            script: """
                echo "== env"; env
                echo "== klist"; klist
                echo "== kvno"; kvno host/webapp01.\(daemon.domain.dnsDomain)
                echo "== kinit"; kinit -k -c FILE:/tmp/kinit.cc 'WebApp01$' && klist -c FILE:/tmp/kinit.cc
                echo "== owners"; stat -c '%u %g %a %n' /var/run/ccgd/krb5.keytab /var/run/ccgd/krb5cc /var/run/ccgd/krb5.conf /etc/krb5.conf
                echo "== write"; touch /var/run/ccgd/new 2>&1; touch /etc/krb5.conf 2>&1
                echo "== mounts"; grep -E ' /var/run/ccgd | /etc/krb5.conf ' /proc/self/mounts
                """)
        XCTAssertEqual(outcome.status, 0, outcome.all)
        let sections = Self.sections(outcome.output)
        XCTAssertFalse(sections["env", default: ""].contains("KRB5"), "no Kerberos variable is set: \(sections["env"] ?? "")")
        XCTAssertTrue(sections["klist", default: ""].contains("Default principal: WebApp01$@\(realm)"), outcome.all)
        XCTAssertTrue(sections["klist", default: ""].contains("krbtgt/\(realm)@\(realm)"), outcome.all)
        XCTAssertTrue(sections["kvno", default: ""].contains("host/webapp01.\(daemon.domain.dnsDomain)@\(realm): kvno = "), outcome.all)
        XCTAssertTrue(sections["kinit", default: ""].contains("Ticket cache: FILE:/tmp/kinit.cc"), outcome.all)
        XCTAssertTrue(sections["kinit", default: ""].contains("krbtgt/\(realm)@\(realm)"), outcome.all)
        let owners = sections["owners", default: ""].split(separator: "\n").map { $0.split(separator: " ").prefix(3).joined(separator: " ") }
        XCTAssertEqual(owners, Array(repeating: "\(PodmanSandbox.user.uid) \(PodmanSandbox.user.gid) 600", count: 4), outcome.all)
        XCTAssertEqual(sections["write", default: ""].components(separatedBy: "Read-only file system").count - 1, 2, outcome.all)
        let mounts = sections["mounts", default: ""].split(separator: "\n")
        XCTAssertEqual(mounts.count, 2, outcome.all)
        for mount in mounts { XCTAssertTrue(mount.split(separator: " ")[3].split(separator: ",").contains("ro"), String(mount)) }
        XCTAssertEqual(try leases(daemon).count, 0, "the lease is gone once the container is")
        XCTAssertEqual(hookLogText, "", "no warning with --hostname WebApp01")
    }

    func testAdditionalAccountsEachHaveAWorkingTicketCache() throws {
        let (daemon, sandbox) = try started()
        let realm = daemon.domain.realm
        let outcome = try run(
            sandbox, ["--hostname", "WebApp01", "--annotation", "io.ccgd.credentialspec=WebApps"],
            script: """
                for cache in /var/run/ccgd/krb5cc*; do echo "== $cache"; klist -c FILE:$cache; done
                echo "== kvno"; KRB5CCNAME=FILE:$(grep -l 'WebApp02' /var/run/ccgd/krb5cc* | head -1) kvno host/WebApp01
                """)
        XCTAssertEqual(outcome.status, 0, outcome.all)
        let caches = Self.sections(outcome.output).filter { $0.key.hasPrefix("/var/run/ccgd/") }
        XCTAssertEqual(caches.count, 2, outcome.all)
        for account in ["WebApp01", "WebApp02"] {
            XCTAssertEqual(
                caches.values.filter { $0.contains("Default principal: \(account)$@\(realm)") && $0.contains("krbtgt/\(realm)@\(realm)") }.count,
                1, "one cache holds \(account)'s TGT: \(outcome.all)")
        }
        XCTAssertTrue(Self.sections(outcome.output)["kvno", default: ""].contains("kvno = "), "WebApp02's cache gets a service ticket: \(outcome.all)")
        XCTAssertEqual(try leases(daemon).count, 0)
    }

    func testContainerWithoutTheAnnotationGetsNoMountAndNoLease() throws {
        let (daemon, sandbox) = try started()
        let outcome = try run(
            sandbox, [],
            script: "ls /var/run/ccgd; test -e /etc/krb5.conf && echo has-krb5.conf; grep -cE ' /var/run/ccgd | /etc/krb5.conf ' /proc/self/mounts || true")
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertTrue(outcome.errors.contains("/var/run/ccgd: No such file or directory"), outcome.all)
        XCTAssertFalse(outcome.output.contains("has-krb5.conf"), outcome.all)
        XCTAssertTrue(outcome.output.hasSuffix("0\n"), "no ccgd mount: \(outcome.all)")
        XCTAssertNil(try metric(daemon, #"ccgd_http_requests_total{route="create_lease",status="201"}"#), "no lease was asked for")
        XCTAssertEqual(hookLogText, "")
    }

    func testUnknownCredSpecFailsTheStartWithTheHooksMessageAndLeavesNoLease() throws {
        let (daemon, sandbox) = try started()
        let outcome = try run(sandbox, ["--annotation", "io.ccgd.credentialspec=NoSuchSpec"], script: "echo started")
        XCTAssertNotEqual(outcome.status, 0, outcome.all)
        XCTAssertFalse(outcome.output.contains("started"), outcome.all)
        let line = try XCTUnwrap(outcome.errors.split(separator: "\n").first { $0.contains("ccgd-oci-hook:") }, outcome.all)
        XCTAssertTrue(line.contains("ccgd-oci-hook: container "), String(line))
        XCTAssertTrue(line.contains(", CredSpec NoSuchSpec: credspec.not_found: no CredSpec NoSuchSpec in \(daemon.credSpecs)"), String(line))
        XCTAssertEqual(try leases(daemon).count, 0)
    }

    func testAFailureAfterTheLeaseIsMadeFailsTheStartAndDeletesTheLease() throws {
        let (daemon, sandbox) = try started()
        // A mount path under a file of the image: the lease is made, its mount cannot be.
        let outcome = try run(
            sandbox, ["--annotation", "io.ccgd.credentialspec=WebApp01", "--annotation", "io.ccgd.mount-path=/bin/busybox/ccgd"],
            script: "echo started")
        XCTAssertNotEqual(outcome.status, 0, outcome.all)
        XCTAssertTrue(
            outcome.errors.contains("CredSpec WebApp01: cannot open /bin/busybox in the container's image as a directory: Not a directory"),
            outcome.all)
        XCTAssertEqual(try metric(daemon, #"ccgd_http_requests_total{route="create_lease",status="201"}"#), 1, "the lease was made")
        XCTAssertEqual(try leases(daemon).count, 0, "and deleted again")
    }

    /// A mount path inside a bind-mounted host directory: the root hook must not make directories
    /// there (on the host, where the container's user may not write), only in the image.
    func testAMountPathInAVolumeIsRefusedAndTheVolumeIsLeftUntouched() throws {
        let (daemon, sandbox) = try started()
        let volume = daemon.root + "/volume"
        try FileManager.default.createDirectory(atPath: volume, withIntermediateDirectories: true)
        let outcome = try run(
            sandbox,
            [
                "--user", "\(PodmanSandbox.user.uid):\(PodmanSandbox.user.gid)", "-v", volume + ":/data",
                "--annotation", "io.ccgd.credentialspec=WebApp01",
                "--annotation", "io.ccgd.mount-path=/data/made/by/hook",
            ], script: "echo started")
        XCTAssertNotEqual(outcome.status, 0, outcome.all)
        XCTAssertFalse(outcome.output.contains("started"), outcome.all)
        let line = outcome.errors.split(separator: "\n").first { $0.contains("ccgd-oci-hook:") } ?? ""
        XCTAssertTrue(
            line.contains(
                ", CredSpec WebApp01: /data/made is missing and its directory is another mount than the container's root file system (a volume?); the hook makes mount points only in the image's own file system: create /data/made in the image or choose another io.ccgd.mount-path."
            ), outcome.all)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: volume), [], "nothing was made in the host's directory")
        XCTAssertEqual(try metric(daemon, #"ccgd_http_requests_total{route="create_lease",status="201"}"#), 1, "the lease was made")
        XCTAssertEqual(try leases(daemon).count, 0, "and deleted again")
    }

    func testUserNamespaceOwnerIsTheMappedHostUID() throws {
        let (daemon, sandbox) = try started()
        let base = 200_000
        // The container reports, then waits on a FIFO while the test looks at its lease from the host.
        let sync = daemon.root + "/sync"
        try FileManager.default.createDirectory(atPath: sync, withIntermediateDirectories: true)
        XCTAssertEqual(mkfifo(sync + "/go", 0o666), 0)
        // The container's uid 1000 is host uid 201000: it may write here.
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: sync)
        try FileManager.default.setAttributes([.posixPermissions: 0o666], ofItemAtPath: sync + "/go")
        let podman = Process()
        podman.executableURL = URL(fileURLWithPath: "/usr/bin/podman")
        podman.arguments =
            sandbox.globalOptions(hooks: hooks) + [
                "run", "--rm", "--network", "host", "--uidmap", "0:\(base):65536", "--gidmap", "0:\(base):65536", "--user", "1000:1000",
                "--hostname", "WebApp01", "--annotation", "io.ccgd.credentialspec=WebApp01", "-v", sync + ":/sync",
                PodmanSandbox.image, "/bin/sh", "-c",
                "{ stat -c '%u %g' /var/run/ccgd/krb5cc; klist -s && echo tgt-readable; } >/sync/inside; touch /sync/ready; cat /sync/go",
            ]
        let output = daemon.root + "/podman.out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        podman.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        podman.standardError = podman.standardOutput
        try podman.run()
        defer {
            // Release the container (opening the FIFO for writing ends its `cat`), then wait for Podman.
            if podman.isRunning { try? FileHandle(forWritingTo: URL(fileURLWithPath: sync + "/go")).close() }
            podman.waitUntilExit()
        }
        // Bounded wait for the container to have run its checks (the image is local: seconds).
        for _ in 0..<1200 where podman.isRunning && !FileManager.default.fileExists(atPath: sync + "/ready") { usleep(100_000) }
        let inside = (try? String(contentsOfFile: sync + "/inside", encoding: .utf8)) ?? ""
        XCTAssertEqual(
            inside, "1000 1000\ntgt-readable\n", "inside, the files are the process's: \((try? String(contentsOfFile: output, encoding: .utf8)) ?? "")")
        let lease = try XCTUnwrap(try leases(daemon).first, "the running container has its lease")
        let owner = try XCTUnwrap(lease["owner"] as? [String: Any])
        XCTAssertEqual(owner["uid"] as? Int, base + 1000, "the lease belongs to the mapped host uid")
        XCTAssertEqual(owner["gid"] as? Int, base + 1000)
        let directory = try XCTUnwrap(lease["directory"] as? String)
        let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/krb5cc")
        XCTAssertEqual(attributes[.ownerAccountID] as? Int, base + 1000, "on the host the files are the mapped uid's")
        try FileHandle(forWritingTo: URL(fileURLWithPath: sync + "/go")).close()
        podman.waitUntilExit()
        XCTAssertEqual(podman.terminationStatus, 0, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
        XCTAssertEqual(try leases(daemon).count, 0)
    }

    /// Waits (up to 20 s) until the daemon holds `count` leases; answers the last count seen.
    @discardableResult
    private func waitForLeases(_ daemon: DaemonProcess, count: Int) throws -> Int {
        var seen = -1
        for _ in 0..<200 {
            seen = try leases(daemon).count
            if seen == count { break }
            usleep(100_000)
        }
        return seen
    }

    /// runc fails after the createRuntime hook made the lease (no such command), and Podman runs
    /// no poststop: the lease ends with the container's init process, its holder.
    func testAContainerThatFailsToStartAfterItsLeaseWasMadeLeavesNoLease() throws {
        let (daemon, sandbox) = try started()
        for _ in 0..<3 {
            let outcome = try sandbox.podman(
                [
                    "run", "--rm", "--network", "host", "--hostname", "WebApp01",
                    "--annotation", "io.ccgd.credentialspec=WebApp01", PodmanSandbox.image, "/no-such-command",
                ],
                hooks: hooks)
            XCTAssertNotEqual(outcome.status, 0, outcome.all)
        }
        XCTAssertEqual(try metric(daemon, #"ccgd_http_requests_total{route="create_lease",status="201"}"#), 3, "each start made its lease")
        XCTAssertEqual(try waitForLeases(daemon, count: 0), 0, "a lease outlived its failed container: \(String(daemon.logText.suffix(3000)))")
        XCTAssertTrue(daemon.logText.contains("lease ended") || daemon.logText.contains("route=delete_lease"), String(daemon.logText.suffix(3000)))
    }

    /// The poststop cannot reach ccgd (it is down when the container ends): the restarted ccgd
    /// finds the lease's holder, the container's init process, gone and ends the lease rather
    /// than restoring it.
    func testALeaseWhoseContainerEndedWhileCcgdWasDownEndsAtStartUp() throws {
        let (daemon, sandbox) = try started()
        let podman = Process()
        podman.executableURL = URL(fileURLWithPath: "/usr/bin/podman")
        podman.arguments =
            sandbox.globalOptions(hooks: hooks) + [
                "run", "--rm", "--network", "host", "--hostname", "WebApp01",
                "--annotation", "io.ccgd.credentialspec=WebApp01", PodmanSandbox.image, "/bin/sleep", "600",
            ]
        let output = daemon.root + "/podman.out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        podman.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        podman.standardError = podman.standardOutput
        try podman.run()
        defer { if podman.isRunning { kill(podman.processIdentifier, SIGKILL) }; podman.waitUntilExit() }
        var lease: [String: Any]?
        for _ in 0..<200 where lease == nil {
            lease = try leases(daemon).first
            if lease == nil { usleep(100_000) }
        }
        let holder = try XCTUnwrap((lease?["holder"] as? [String: Any])?["pid"] as? Int, "the container's lease names its holder: \(lease ?? [:])")
        XCTAssertEqual(daemon.stop(), 0)
        // The container ends while ccgd is down: its poststop finds nobody to tell.
        kill(Int32(holder), SIGKILL)
        podman.waitUntilExit()
        try daemon.start()
        XCTAssertEqual(try waitForLeases(daemon, count: 0), 0, "the lease of an ended container came back: \(String(daemon.logText.suffix(3000)))")
        XCTAssertTrue(daemon.logText.contains("lease ended") && daemon.logText.contains("at=start-up"), String(daemon.logText.suffix(3000)))
    }

    /// The hook asks on behalf of the container: a CredSpec's allow-list applies to the
    /// container's user, although the hook itself is root.
    func testTheAllowListOfACredSpecAppliesToTheContainersUser() throws {
        let (daemon, sandbox) = try started(configuration: "\n[credspec \"WebApp01\"]\nallowed-uids = 2000\n")
        let refused = try run(
            sandbox, ["--user", "3000:3000", "--hostname", "WebApp01", "--annotation", "io.ccgd.credentialspec=WebApp01"],
            script: "echo started")
        XCTAssertNotEqual(refused.status, 0, refused.all)
        XCTAssertFalse(refused.output.contains("started"), refused.all)
        XCTAssertTrue(refused.errors.contains("forbidden: the lease's owner, uid 3000, gid 3000"), refused.all)
        XCTAssertTrue(refused.errors.contains("allowed-uids or allowed-gids in [credspec"), refused.all)
        XCTAssertEqual(try leases(daemon).count, 0)
        let allowed = try run(
            sandbox, ["--user", "2000:2000", "--hostname", "WebApp01", "--annotation", "io.ccgd.credentialspec=WebApp01"],
            script: "klist -s && echo has-ticket")
        XCTAssertEqual(allowed.status, 0, allowed.all)
        XCTAssertEqual(allowed.output, "has-ticket\n", allowed.all)
        let root = try run(sandbox, ["--hostname", "WebApp01", "--annotation", "io.ccgd.credentialspec=WebApp01"], script: "echo started")
        XCTAssertNotEqual(root.status, 0, "a root container is held to the list too: \(root.all)")
    }

    /// What CRI-O gives the hook for a pod's container (the kubelet's io.kubernetes.pod.*
    /// annotations beside the pod author's io.ccgd.credentialspec): refused, naming the pod and the
    /// CredSpec, until the CredSpec's section says oci-hook-in-pods = yes; and when a reload takes
    /// that back, the running pod's lease ends.
    func testAKubernetesPodsContainerIsRefusedByTheHookUnlessItsCredSpecAllowsIt() throws {
        let (daemon, sandbox) = try started()
        let pod = [
            "--hostname", "WebApp01", "--annotation", "io.kubernetes.pod.namespace=webapp", "--annotation", "io.kubernetes.pod.name=web-1",
            "--annotation", "io.kubernetes.container.name=app", "--annotation", "io.ccgd.credentialspec=WebApp01",
        ]
        let refused = try run(sandbox, pod, script: "echo started")
        XCTAssertNotEqual(refused.status, 0, refused.all)
        XCTAssertFalse(refused.output.contains("started"), refused.all)
        let line = try XCTUnwrap(refused.errors.split(separator: "\n").first { $0.contains("ccgd-oci-hook:") }, refused.all)
        XCTAssertTrue(
            line.contains(
                ", CredSpec WebApp01: forbidden: the container belongs to Kubernetes pod webapp/web-1, which may not use CredSpec WebApp01 through the OCI hook; pods get a gMSA through ccgd's CSI volume (README: Use it from Kubernetes), or set oci-hook-in-pods = yes in [credspec"
            ), String(line))
        XCTAssertEqual(try leases(daemon).count, 0, "no lease remains")
        XCTAssertNil(try metric(daemon, #"ccgd_http_requests_total{route="create_lease",status="201"}"#), "no lease was made")
        XCTAssertEqual(try metric(daemon, #"ccgd_http_requests_total{route="create_lease",status="403"}"#), 1)
        XCTAssertTrue(daemon.logText.contains("request refused") && daemon.logText.contains("Kubernetes pod webapp/web-1"), "an audit line")

        let configuration = try String(contentsOfFile: daemon.configuration, encoding: .utf8)
        try (configuration + "\n[credspec \"WebApp01\"]\noci-hook-in-pods = yes\n").write(
            toFile: daemon.configuration, atomically: true, encoding: .utf8)
        try reload(daemon)
        let allowed = try run(sandbox, pod, script: "klist -s && echo has-ticket")
        XCTAssertEqual(allowed.status, 0, allowed.all)
        XCTAssertEqual(allowed.output, "has-ticket\n", allowed.all)
        XCTAssertEqual(try waitForLeases(daemon, count: 0), 0, "the lease ended with its container")

        // A running pod's container keeps its lease until a reload takes the permission back.
        let name = "pod-\(UUID().uuidString.prefix(8).lowercased())"
        let podman = Process()
        podman.executableURL = URL(fileURLWithPath: "/usr/bin/podman")
        podman.arguments =
            sandbox.globalOptions(hooks: hooks) + ["run", "--rm", "--name", name, "--network", "host"] + pod + [PodmanSandbox.image, "/bin/sleep", "600"]
        let output = daemon.root + "/podman.out"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        podman.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        podman.standardError = podman.standardOutput
        try podman.run()
        defer {
            // The container goes with Podman's own removal (killing the client would leave it running).
            _ = try? sandbox.podman(["rm", "-f", "-t", "0", name], hooks: hooks)
            podman.waitUntilExit()
        }
        XCTAssertEqual(try waitForLeases(daemon, count: 1), 1, (try? String(contentsOfFile: output, encoding: .utf8)) ?? "")
        XCTAssertEqual(try leases(daemon).first?["kubernetesPod"] as? String, "webapp/web-1", "the lease shows its pod")
        try configuration.write(toFile: daemon.configuration, atomically: true, encoding: .utf8)
        try reload(daemon)
        XCTAssertEqual(try waitForLeases(daemon, count: 0), 0, "the pod's lease ended at the reload: \(String(daemon.logText.suffix(3000)))")
        XCTAssertTrue(daemon.logText.contains("lease ended") && daemon.logText.contains("Kubernetes pod webapp/web-1"), String(daemon.logText.suffix(3000)))
    }

    /// SIGHUP, and waits (up to 10 s) for the daemon to log one more reload.
    private func reload(_ daemon: DaemonProcess) throws {
        let before = daemon.logText.components(separatedBy: "configuration reloaded").count
        kill(try XCTUnwrap(daemon.pid), SIGHUP)
        for _ in 0..<100 where daemon.logText.components(separatedBy: "configuration reloaded").count == before { usleep(100_000) }
        XCTAssertGreaterThan(daemon.logText.components(separatedBy: "configuration reloaded").count, before, "ccgd reloaded: \(daemon.logText.suffix(2000))")
    }

    func testAHostNameOtherThanTheGMSAsIsWarnedAbout() throws {
        let (_, sandbox) = try started()
        let outcome = try run(sandbox, ["--hostname", "somebox", "--annotation", "io.ccgd.credentialspec=WebApp01"], script: "klist -s && echo ok")
        XCTAssertEqual(outcome.status, 0, outcome.all)
        XCTAssertEqual(outcome.output, "ok\n", "a warning does not fail the start")
        XCTAssertTrue(
            hookLogText.contains(#"warning: container "#)
                && hookLogText.contains(#"has the host name "somebox", not its gMSA's "WebApp01"; run it with --hostname WebApp01"#),
            hookLogText)
    }

    /// The output of a script that prints "== NAME" before each part, by part.
    static func sections(_ output: String) -> [String: String] {
        var sections: [String: String] = [:]
        var current = ""
        for line in output.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("== ") { current = String(line.dropFirst(3)); continue }
            sections[current, default: ""] += line + "\n"
        }
        return sections
    }
}
