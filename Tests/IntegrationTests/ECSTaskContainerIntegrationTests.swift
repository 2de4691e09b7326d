import Foundation
import XCTest

/// What the Amazon ECS agent does with a gMSA's directory, with real Podman: the directory
/// bind-mounted read-only at /var/credentials-fetcher/krbdir into a task container that runs as a
/// non-root user, the files' owner and mode as `[ecs]` and `[ecs-gmsa "NAME"]` say.
extension ECSIntegrationTests {
    /// `[ecs]` gives WebApp01's files to uid 1000 (owner only) and `[ecs-gmsa "WebApp02"]`
    /// WebApp02's to root and group 4000 (group-readable): a container running as uid 1000 reads
    /// WebApp01's ticket cache with nothing but KRB5_CONFIG set, gets a service ticket, logs in
    /// with the keytab (`kinit -k`) and accepts a service ticket with it (`kvno -k`); a container
    /// of group 4000 does the same with WebApp02's; any other uid reads neither.
    func testANonRootTaskContainerReadsItsTicketAndAnotherUserCannot() throws {
        let daemon = try started(
            ecsConfiguration: """
                lease-uid = 1000
                lease-gid = 1000

                [ecs-gmsa "WebApp02"]
                lease-uid = 0
                lease-gid = 4000
                lease-mode = group
                """)
        let sandbox = try PodmanSandbox.require()
        try client(daemon, mode: "task-lease")
        let state = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: stateFile))) as? [String: Any])
        let directories = try XCTUnwrap(state["directories"] as? [String])
        let leaseID = try XCTUnwrap(state["lease_id"] as? String)
        XCTAssertEqual(directories, [krbDirectory + "/\(leaseID)/WebApp01", krbDirectory + "/\(leaseID)/WebApp02"])
        let (webApp01, webApp02) = (directories[0], directories[1])

        // On the host: each gMSA's directory is its owner's (and group's) only; the lease's
        // directory above lets the owners through without listing its gMSAs.
        XCTAssertEqual(Self.ownership(krbDirectory + "/" + leaseID), "0:0 711")
        XCTAssertEqual(Self.ownership(webApp01), "1000:1000 700")
        XCTAssertEqual(Self.ownership(webApp02), "0:4000 750")
        for name in ["krb5cc", "krb5.keytab", "krb5.conf"] {
            XCTAssertEqual(Self.ownership(webApp01 + "/" + name), "1000:1000 600", name)
            XCTAssertEqual(Self.ownership(webApp02 + "/" + name), "0:4000 640", name)
        }
        let conf = try String(contentsOfFile: webApp01 + "/krb5.conf", encoding: .utf8)
        XCTAssertTrue(conf.contains("default_ccache_name = FILE:/var/credentials-fetcher/krbdir/krb5cc"), conf)
        XCTAssertTrue(conf.contains("default_keytab_name = FILE:/var/credentials-fetcher/krbdir/krb5.keytab"), conf)

        let dnsDomain = daemon.domain.dnsDomain, realm = daemon.domain.realm
        for (directory, account, user) in [(webApp01, "WebApp01", "1000:1000"), (webApp02, "WebApp02", "2000:4000")] {
            let outcome = try Self.task(
                sandbox, user: user, mounting: directory,
                script: """
                    export KRB5_CONFIG=/var/credentials-fetcher/krbdir/krb5.conf
                    echo "== id"; id -u
                    echo "== klist"; klist
                    echo "== kvno"; kvno host/\(account.lowercased()).\(dnsDomain)
                    echo "== kinit"; kinit -k -c FILE:/tmp/service.cc '\(account)$' && klist -c FILE:/tmp/service.cc
                    echo "== accept"; kvno -k /var/credentials-fetcher/krbdir/krb5.keytab host/\(account.lowercased()).\(dnsDomain)
                    """)
            print("== as \(user) on \(directory)\n" + outcome.all)
            XCTAssertEqual(outcome.status, 0, "\(account) as \(user): \(outcome.all)")
            let sections = PodmanIntegrationTests.sections(outcome.output)
            XCTAssertEqual(sections["id"]?.trimmingCharacters(in: .whitespacesAndNewlines), String(user.split(separator: ":")[0]), outcome.all)
            XCTAssertTrue(sections["klist", default: ""].contains("Default principal: \(account)$@\(realm)"), outcome.all)
            XCTAssertTrue(sections["klist", default: ""].contains("krbtgt/\(realm)@\(realm)"), outcome.all)
            XCTAssertTrue(sections["kvno", default: ""].contains("host/\(account.lowercased()).\(dnsDomain)@\(realm): kvno = "), outcome.all)
            XCTAssertTrue(sections["kinit", default: ""].contains("Default principal: \(account)$@\(realm)"), outcome.all)
            XCTAssertTrue(sections["accept", default: ""].contains("keytab entry valid"), outcome.all)
        }

        // Anyone else: not the owner, not in the group.
        for (directory, user) in [(webApp01, "2000:2000"), (webApp02, "2001:2001"), (webApp02, "1000:1000")] {
            let outcome = try Self.task(
                sandbox, user: user, mounting: directory,
                script: """
                    echo "== read"; cat /var/credentials-fetcher/krbdir/krb5cc >/dev/null && echo read || echo refused
                    echo "== keytab"; cat /var/credentials-fetcher/krbdir/krb5.keytab >/dev/null && echo read || echo refused
                    echo "== klist"; klist -c FILE:/var/credentials-fetcher/krbdir/krb5cc && echo read || echo refused
                    """)
            print("== as \(user) on \(directory)\n" + outcome.all)
            XCTAssertEqual(outcome.status, 0, outcome.all)
            let sections = PodmanIntegrationTests.sections(outcome.output)
            for name in ["read", "keytab", "klist"] {
                XCTAssertEqual(sections[name]?.trimmingCharacters(in: .whitespacesAndNewlines), "refused", "\(user) on \(directory), \(name): \(outcome.all)")
            }
            XCTAssertTrue(outcome.errors.contains("Permission denied"), outcome.all)
        }
        try client(daemon, mode: "delete-task-lease")
    }

    /// A container as the ECS agent starts one for a task: the gMSA's directory read-only at
    /// /var/credentials-fetcher/krbdir (the agent's bind), as `user`, on the host's network.
    private static func task(_ sandbox: PodmanSandbox, user: String, mounting directory: String, script: String) throws -> Command.Outcome {
        try sandbox.podman([
            "run", "--rm", "--network", "host", "--user", user, "-v", directory + ":/var/credentials-fetcher/krbdir:ro",
            PodmanSandbox.image, "/bin/sh", "-c", script,
        ])
    }

    /// "uid:gid mode" of `path` (not following a symlink).
    static func ownership(_ path: String) -> String {
        var status = stat()
        guard lstat(path, &status) == 0 else { return "missing" }
        return "\(status.st_uid):\(status.st_gid) " + String(status.st_mode & 0o7777, radix: 8)
    }
}
