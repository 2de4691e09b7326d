import Foundation
import NIOHTTP1
import XCTest

/// ccgd as a container runtime uses it: a real daemon process, its socket, the test domain's KDC.
final class DaemonIntegrationTests: XCTestCase {
    private var daemon: DaemonProcess?

    override func tearDown() {
        daemon?.remove()
    }

    private func started(_ extra: String = "") throws -> DaemonProcess {
        let domain = try TestDomain.require()
        let daemon = try DaemonProcess(domain: domain, extraConfiguration: extra)
        self.daemon = daemon
        try daemon.start()
        return daemon
    }

    private func mode(_ path: String) throws -> (mode: Int, uid: Int, gid: Int) {
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        return ((attributes[.posixPermissions] as? Int) ?? -1, (attributes[.ownerAccountID] as? Int) ?? -1, (attributes[.groupOwnerAccountID] as? Int) ?? -1)
    }

    func testLeaseFilesWorkWithTheKDCAndBelongToTheOwner() async throws {
        let daemon = try started()
        let domain = daemon.domain
        let lease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01", "owner": {"uid": 1000, "gid": 1001}, "containerId": "c0ffee"}"#)
        let directory = try XCTUnwrap(lease["directory"] as? String)
        XCTAssertTrue(directory.hasPrefix(daemon.runtime + "/leases/l_"))
        XCTAssertEqual(lease["hostname"] as? String, "WebApp01")
        XCTAssertEqual(lease["containerId"] as? String, "c0ffee")
        let identity = try XCTUnwrap((lease["identities"] as? [[String: Any]])?.first)
        XCTAssertEqual(identity["principal"] as? String, "WebApp01$@\(domain.realm)")
        XCTAssertEqual(identity["ccache"] as? String, "krb5cc")
        XCTAssertEqual((lease["mount"] as? [String: Any])?["target"] as? String, "/var/run/ccgd")
        XCTAssertEqual((lease["environment"] as? [String: String])?["KRB5CCNAME"], "FILE:/var/run/ccgd/krb5cc")

        let directoryMode = try mode(directory)
        XCTAssertEqual(directoryMode.mode, 0o700)
        XCTAssertEqual(directoryMode.uid, 1000)
        for file in ["krb5.keytab", "krb5cc", "krb5.conf"] {
            let fileMode = try mode(directory + "/" + file)
            XCTAssertEqual([fileMode.mode, fileMode.uid, fileMode.gid], [0o600, 1000, 1001], file)
        }
        // The keytab gets a TGT; the ccache gets a service ticket.
        let cache = ["KRB5CCNAME": "FILE:\(daemon.root)/kinit.cc"]
        try domain.run(["kinit", "-k", "-t", directory + "/krb5.keytab", "WebApp01$@\(domain.realm)"], environment: cache)
        let output = try domain.run(["kvno", "host/webapp01.\(domain.dnsDomain)@\(domain.realm)"], environment: ["KRB5CCNAME": "FILE:\(directory)/krb5cc"])
        XCTAssertTrue(output.contains("kvno = "), output)
        // The container's krb5.conf points at its own mount.
        let conf = try String(contentsOfFile: directory + "/krb5.conf", encoding: .utf8)
        XCTAssertTrue(conf.contains("default_ccache_name = FILE:/var/run/ccgd/krb5cc"), conf)
        XCTAssertTrue(conf.contains("kdc = 127.0.0.1:88"), conf)
    }

    func testMachineAccountNameIsThePrimaryIdentityInTheAnswerAndTheFiles() async throws {
        let daemon = try started()
        let domain = daemon.domain
        // WebApp01's CredSpec, listing WebApp02 second and naming it as the container's network name.
        var text = try String(contentsOfFile: daemon.credSpecs + "/WebApp01.json", encoding: .utf8)
        for (old, new) in [
            (#""MachineAccountName": "WebApp01""#, #""MachineAccountName": "WebApp02""#),
            (#"{ "Name": "WebApp01", "Scope": "CONTOSO" }"#, #"{ "Name": "WebApp02", "Scope": "CONTOSO" }"#),
        ] {
            XCTAssertTrue(text.contains(old), old)
            text = text.replacingOccurrences(of: old, with: new)
        }
        try text.write(toFile: daemon.credSpecs + "/SecondIsPrimary.json", atomically: true, encoding: .utf8)

        let lease = try await daemon.createLease(#"{"credentialSpecName": "SecondIsPrimary"}"#)
        XCTAssertEqual(lease["hostname"] as? String, "WebApp02")
        let identities = try XCTUnwrap(lease["identities"] as? [[String: Any]])
        XCTAssertEqual(identities.map { $0["principal"] as? String }, ["WebApp02$@\(domain.realm)", "WebApp01$@\(domain.realm)"])
        XCTAssertEqual(identities.map { $0["ccache"] as? String }, ["krb5cc", "krb5cc-WebApp01"])
        let directory = try XCTUnwrap(lease["directory"] as? String)
        let primary = try domain.run(["klist", "-c", "FILE:\(directory)/krb5cc"])
        XCTAssertTrue(primary.contains("WebApp02$@\(domain.realm)"), primary)
        let other = try domain.run(["klist", "-c", "FILE:\(directory)/krb5cc-WebApp01"])
        XCTAssertTrue(other.contains("WebApp01$@\(domain.realm)"), other)
    }

    func testThirtyTwoConcurrentLeasesForANewAccountMakeOneFetch() async throws {
        let daemon = try started()
        let client = daemon.client
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<32 {
                group.addTask { try await client.send(.POST, "/v1/leases", body: Array(#"{"credentialSpecName": "WebApp02"}"#.utf8)).status }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        XCTAssertEqual(statuses, Array(repeating: 201, count: 32))
        let fetches = try await daemon.metric(#"ccgd_account_fetches_total{result="ok"}"#)
        XCTAssertEqual(fetches, 1, "one directory fetch serves every concurrent lease")
        let plugins = try await daemon.metric(#"ccgd_plugin_calls_total{plugin="file",result="ok"}"#)
        XCTAssertEqual(plugins, 1)
        let accounts = try await daemon.request(.GET, "/v1/accounts").object["accounts"] as? [[String: Any]]
        XCTAssertEqual(accounts?.first?["leases"] as? Int, 32)
        XCTAssertEqual(accounts?.first?["state"] as? String, "fresh")
    }

    func testLeasesSurviveACleanRestartAndAreRefreshed() async throws {
        let daemon = try started()
        let lease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01.json"}"#)
        let id = try XCTUnwrap(lease["id"] as? String), directory = try XCTUnwrap(lease["directory"] as? String)
        let before = try Data(contentsOf: URL(fileURLWithPath: directory + "/krb5cc"))
        XCTAssertEqual(daemon.stop(), 0, daemon.logText)
        try await Task.sleep(for: .seconds(1)) // a new TGT gets a new authtime
        try daemon.start()
        let (status, object, _) = try await daemon.request(.GET, "/v1/leases/\(id)")
        XCTAssertEqual(status, 200)
        XCTAssertEqual(object["credentialSpecName"] as? String, "WebApp01.json")
        let after = try Data(contentsOf: URL(fileURLWithPath: directory + "/krb5cc"))
        XCTAssertNotEqual(before, after, "the lease's ticket was fetched again after the restart")
        try daemon.domain.run(["kvno", "host/WebApp01@\(daemon.domain.realm)"], environment: ["KRB5CCNAME": "FILE:\(directory)/krb5cc"])
    }

    func testAcknowledgedLeasesSurviveSIGKILL() async throws {
        let daemon = try started()
        var ids: [String] = []
        for _ in 0..<5 { ids.append(try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)["id"] as! String) }
        daemon.crash()
        try daemon.start()
        let listed = try await daemon.request(.GET, "/v1/leases").object["leases"] as? [[String: Any]] ?? []
        XCTAssertEqual(Set(listed.compactMap { $0["id"] as? String }), Set(ids))
        // Nothing half-written is left in the state directory, only the compacted journal, the
        // daemon's lock and the CredSpecs leased recently (prefetch's list, written as leases are made).
        let state = try FileManager.default.contentsOfDirectory(atPath: daemon.state)
        XCTAssertEqual(Set(state).subtracting(["recent-credspecs"]), ["leases.journal", "ccgd.lock"])
        let journal = try String(contentsOfFile: daemon.state + "/leases.journal", encoding: .utf8)
        XCTAssertEqual(journal.split(separator: "\n").count, 5)
    }

    func testStateFilesHoldNoSecret() async throws {
        let daemon = try started()
        let lease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let record = try String(contentsOfFile: "\(daemon.state)/leases.journal", encoding: .utf8)
        XCTAssertTrue(record.contains(lease["id"] as! String))
        let (_, password) = try daemon.domain.credentials(daemon.domain.allowedCredentialsFile)
        XCTAssertFalse(record.contains(password.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }))
        XCTAssertTrue(record.contains("\"credentialSpecName\":\"WebApp01\""), record)
        let mode = try mode(daemon.state + "/leases.journal")
        XCTAssertEqual(mode.mode, 0o600)
    }

    func testDeleteRemovesTheDirectoryBeforeAnswering() async throws {
        let daemon = try started()
        let lease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let id = lease["id"] as! String, directory = lease["directory"] as! String
        let (status, _, _) = try await daemon.request(.DELETE, "/v1/leases/\(id)")
        XCTAssertEqual(status, 204)
        XCTAssertFalse(FileManager.default.fileExists(atPath: directory))
        // The deletion is recorded: a restart does not bring the lease back.
        daemon.crash()
        try daemon.start()
        let again = try await daemon.request(.GET, "/v1/leases/\(id)")
        XCTAssertEqual(again.status, 404)
        XCTAssertEqual(apiError(again.object).code, "not_found")
    }

    func testKeytabRouteServesTheLeasesKeytab() async throws {
        let daemon = try started()
        let lease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let response = try await daemon.client.send(.GET, "/v1/leases/\(lease["id"] as! String)/keytab")
        XCTAssertEqual(response.status, 200)
        XCTAssertEqual(response.body, Array(try Data(contentsOf: URL(fileURLWithPath: (lease["directory"] as! String) + "/krb5.keytab"))))
    }

    /// The lease directory is its owner's: the route serves the keytab from memory, so a symlink
    /// to a root-only file or a FIFO planted at krb5.keytab is never opened.
    func testKeytabRouteNeverReadsWhatTheOwnerPlanted() async throws {
        let daemon = try started()
        let domain = daemon.domain
        let lease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01", "owner": {"uid": 1000, "gid": 1000}}"#)
        let route = "/v1/leases/\(lease["id"] as! String)/keytab"
        let keytab = (lease["directory"] as! String) + "/krb5.keytab"
        let secret = daemon.root + "/root-only"
        try "root's secret\n".write(toFile: secret, atomically: false, encoding: .utf8)
        XCTAssertEqual(chmod(secret, 0o600), 0)

        // Parses as a keytab and holds the gMSA's keys.
        func assertIsTheLeasesKeytab(_ body: [UInt8], _ planted: String) throws {
            let copy = daemon.root + "/served.keytab"
            try Data(body).write(to: URL(fileURLWithPath: copy))
            let listing = try domain.run(["klist", "-k", copy])
            XCTAssertTrue(listing.contains("WebApp01$@\(domain.realm)"), "\(planted): \(listing)")
        }

        XCTAssertEqual(unlink(keytab), 0)
        XCTAssertEqual(symlink(secret, keytab), 0)
        let throughSymlink = try await daemon.client.send(.GET, route)
        XCTAssertEqual(throughSymlink.status, 200, throughSymlink.text)
        XCTAssertNotEqual(throughSymlink.body, Array("root's secret\n".utf8))
        try assertIsTheLeasesKeytab(throughSymlink.body, "symlink")

        // A FIFO would block a reader until someone writes: if ccgd opens it, this writer feeds it junk.
        XCTAssertEqual(unlink(keytab), 0)
        XCTAssertEqual(mkfifo(keytab, 0o600), 0)
        let feeder = Task.detached {
            while !Task.isCancelled {
                let fd = open(keytab, O_WRONLY | O_NONBLOCK | O_CLOEXEC)
                if fd >= 0 {
                    _ = Array("not a keytab".utf8).withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
                    close(fd)
                    return true
                }
                try? await Task.sleep(for: .milliseconds(10))
            }
            return false
        }
        let throughFIFO = try await daemon.client.send(.GET, route)
        feeder.cancel()
        let fed = await feeder.value
        XCTAssertFalse(fed, "ccgd opened the FIFO planted at krb5.keytab")
        XCTAssertEqual(throughFIFO.status, 200, throughFIFO.text)
        try assertIsTheLeasesKeytab(throughFIFO.body, "FIFO")
    }

    func testPeerThatIsNotAllowedGets403() throws {
        let daemon = try started("socket-mode = 0666")
        // The same request from uid 65534: the kernel tells ccgd who is calling.
        let outcome = try Command.run(
            "/usr/bin/setpriv",
            [
                "--reuid=65534", "--regid=65534", "--clear-groups", "curl", "-s", "-w", "\n%{http_code}",
                "--unix-socket", daemon.socket, "http://ccgd/v1/leases",
            ])
        XCTAssertTrue(outcome.output.hasSuffix("\n403"), outcome.all)
        XCTAssertTrue(outcome.output.contains(#""code":"forbidden""#), outcome.output)
        XCTAssertTrue(outcome.output.contains("uid 65534, gid 65534 may not use ccgd; add it to allowed-uids or allowed-gids"), outcome.output)
    }

    func testCredSpecNamesCannotLeaveTheCredSpecDirectory() async throws {
        let daemon = try started()
        try FileManager.default.createSymbolicLink(
            atPath: daemon.credSpecs + "/Outside.json", withDestinationPath: daemon.domain.credSpecDirectory + "/WebApp01.json")
        for name in ["../credspecs/WebApp01", "/etc/passwd", "sub/WebApp01", "..", ".hidden", "..data"] {
            let (status, object, text) = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpecName": "\#(name)"}"#)
            XCTAssertEqual(status, 400, "\(name): \(text)")
            XCTAssertEqual(apiError(object).code, "bad_request", name)
            XCTAssertEqual(apiError(object).field, "credentialSpecName", name)
        }
        // A link that leads out of the directory is followed no further than its name.
        let (outsideStatus, outside, outsideText) = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpecName": "Outside"}"#)
        XCTAssertEqual(outsideStatus, 400, outsideText)
        XCTAssertEqual(apiError(outside).code, "credspec.invalid", outsideText)
        XCTAssertEqual(apiError(outside).field, "credentialSpecName", outsideText)
        XCTAssertTrue(apiError(outside).message.hasPrefix("CredSpec Outside leads out of the CredSpec directory \(daemon.credSpecs)"), outsideText)
        let (status, object, _) = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpecName": "NoSuchSpec"}"#)
        XCTAssertEqual(status, 404)
        XCTAssertEqual(apiError(object).code, "credspec.not_found")
        XCTAssertEqual(
            apiError(object).message, "no CredSpec NoSuchSpec in \(daemon.credSpecs); create it there (ccgctl credspec new) or send the CredSpec inline.")
    }

    func testBadRequestsGetStableCodesAndFields() async throws {
        let daemon = try started()
        let spec = try String(contentsOfFile: daemon.credSpecs + "/WebApp01.json", encoding: .utf8)
        let broken = spec.replacingOccurrences(of: "\"Sid\": \"", with: "\"Sid\": \"X")
        let cases: [(String, Int, String, String?)] = [
            ("not json", 400, "bad_request", nil),
            ("[1]", 400, "bad_request", nil),
            ("{}", 400, "bad_request", nil),
            (#"{"credentialSpecName": "WebApp01", "credentialSpec": {}}"#, 400, "bad_request", nil),
            (#"{"credentialSpecName": 5}"#, 400, "bad_request", "credentialSpecName"),
            (#"{"credentialSpecName": "WebApp01", "owner": {"uid": -1}}"#, 400, "bad_request", "owner.uid"),
            (#"{"credentialSpecName": "WebApp01", "mountPath": "relative"}"#, 400, "bad_request", "mountPath"),
            (#"{"credentialSpecName": "WebApp01", "extra": 1}"#, 400, "bad_request", "extra"),
            (#"{"credentialSpec": \#(broken)}"#, 400, "credspec.invalid", "credentialSpec.DomainJoinConfig.Sid"),
        ]
        for (body, status, code, field) in cases {
            let answer = try await daemon.request(.POST, "/v1/leases", json: body)
            XCTAssertEqual(answer.status, status, body)
            XCTAssertEqual(apiError(answer.object).code, code, body)
            XCTAssertEqual(apiError(answer.object).field, field, body)
            XCTAssertFalse(apiError(answer.object).message.isEmpty, body)
        }
        let large = try await daemon.request(.POST, "/v1/leases", json: String(repeating: " ", count: 2 << 20))
        XCTAssertEqual(large.status, 413)
        XCTAssertEqual(apiError(large.object).code, "payload_too_large")
        let unknown = try await daemon.request(.GET, "/v2/things")
        XCTAssertEqual(unknown.status, 404)
        let health = try await daemon.request(.GET, "/v1/health")
        XCTAssertEqual(health.status, 200, "bad input never takes the daemon down")
    }

    func testInlineCredSpecWithAnotherDomainsPluginFailsWithThePluginsMessage() async throws {
        let daemon = try started("allow-inline-credspecs = yes")
        let spec = try String(contentsOfFile: daemon.credSpecs + "/WebApp01.json", encoding: .utf8)
            .replacingOccurrences(of: daemon.domain.allowedCredentialsFile, with: "/nonexistent/user.json")
        let answer = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpec": \#(spec)}"#)
        XCTAssertEqual(answer.status, 502)
        XCTAssertEqual(apiError(answer.object).code, "plugin.failed")
        XCTAssertTrue(apiError(answer.object).message.contains("PluginInput \"/nonexistent/user.json\" is not in the credentials directory"), answer.text)
        let leases = try await daemon.request(.GET, "/v1/leases").object["leases"] as? [Any]
        XCTAssertEqual(leases?.count, 0, "a failed lease leaves nothing behind")
    }

    func testCachedKeysAreNotServedToAnInlineCredSpecWithOtherCredentials() async throws {
        let daemon = try started("allow-inline-credspecs = yes")
        let spec = try String(contentsOfFile: daemon.credSpecs + "/WebApp01.json", encoding: .utf8)
        // WebApp01 is cached through the allowed portable user's CredSpec.
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        // The same gMSA, through the outsider's credentials: the directory must be asked, and say no.
        let outsider = spec.replacingOccurrences(of: daemon.domain.allowedCredentialsFile, with: daemon.domain.outsiderCredentialsFile)
        XCTAssertNotEqual(outsider, spec)
        let refused = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpec": \#(outsider)}"#)
        XCTAssertEqual(refused.status, 502, refused.text)
        XCTAssertEqual(apiError(refused.object).code, "directory.access_denied", refused.text)
        // And through a file the plug-in cannot use: the plug-in's error.
        let unreadable = daemon.root + "/not-credentials.txt"
        try "root only, not a credentials file".write(toFile: unreadable, atomically: true, encoding: .utf8)
        let other = spec.replacingOccurrences(of: daemon.domain.allowedCredentialsFile, with: unreadable)
        let failed = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpec": \#(other)}"#)
        XCTAssertEqual(failed.status, 502, failed.text)
        XCTAssertEqual(apiError(failed.object).code, "plugin.failed", failed.text)
        let leases = try await daemon.request(.GET, "/v1/leases").object["leases"] as? [Any]
        XCTAssertEqual(leases?.count, 1, "only the named CredSpec's lease")
    }

    func testInlineCredSpecsAreOffByDefault() async throws {
        let daemon = try started()
        let spec = try String(contentsOfFile: daemon.credSpecs + "/WebApp01.json", encoding: .utf8)
        let answer = try await daemon.request(.POST, "/v1/leases", json: #"{"credentialSpec": \#(spec)}"#)
        XCTAssertEqual(answer.status, 403, answer.text)
        XCTAssertEqual(apiError(answer.object).code, "credspec.inline_disabled")
        XCTAssertEqual(apiError(answer.object).field, "credentialSpec")
    }

    func testNonRootPeerSeesOnlyTheLeasesItCreated() async throws {
        let daemon = try started("socket-mode = 0666\nallowed-uids = 0, 65534")
        let rootLease = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        XCTAssertEqual(rootLease["creator"] as? Int, 0)
        func curl(_ arguments: [String]) throws -> (status: Int, body: String) {
            let outcome = try Command.run(
                "/usr/bin/setpriv",
                [
                    "--reuid=65534", "--regid=65534", "--clear-groups", "curl", "-s", "-w", "\n%{http_code}",
                    "--unix-socket", daemon.socket,
                ] + arguments)
            let lines = outcome.output.split(separator: "\n", omittingEmptySubsequences: false)
            return (Int(lines.last ?? "") ?? 0, lines.dropLast().joined(separator: "\n"))
        }
        let created = try curl(["-X", "POST", "http://ccgd/v1/leases", "-d", #"{"credentialSpecName": "WebApp01"}"#])
        XCTAssertEqual(created.status, 201, created.body)
        let lease = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(created.body.utf8)) as? [String: Any])
        XCTAssertEqual(lease["creator"] as? Int, 65534)
        XCTAssertEqual((lease["owner"] as? [String: Int])?["uid"], 65534, "owner defaults to the caller")
        let listed = try curl(["http://ccgd/v1/leases"])
        XCTAssertTrue(listed.body.contains(lease["id"] as! String), listed.body)
        XCTAssertFalse(listed.body.contains(rootLease["id"] as! String), listed.body)
        XCTAssertEqual(try curl(["http://ccgd/v1/leases/\(rootLease["id"] as! String)/keytab"]).status, 404)
        XCTAssertEqual(
            try curl(["-X", "POST", "http://ccgd/v1/leases", "-d", #"{"credentialSpecName": "WebApp01", "owner": {"uid": 0, "gid": 0}}"#]).status, 403)
        // Root sees both.
        let all = try await daemon.request(.GET, "/v1/leases").object["leases"] as? [Any]
        XCTAssertEqual(all?.count, 2)
    }

    func testHealthAndMetricsDescribeTheDaemon() async throws {
        let daemon = try started()
        _ = try await daemon.createLease(#"{"credentialSpecName": "WebApp01"}"#)
        let health = try await daemon.request(.GET, "/v1/health").object
        XCTAssertEqual(health["status"] as? String, "ok")
        XCTAssertEqual(health["leases"] as? Int, 1)
        let controllers = (health["domains"] as? [[String: Any]])?.first?["controllers"] as? [[String: Any]]
        XCTAssertEqual(controllers?.first?["host"] as? String, daemon.domain.controller.hostName)
        XCTAssertEqual(controllers?.first?["state"] as? String, "up")
        let metrics = try await daemon.request(.GET, "/metrics").text
        for line in [
            "ccgd_leases 1", #"ccgd_http_requests_total{route="create_lease",status="201"} 1"#,
            #"ccgd_domain_controller_up{host="dc1.contoso.test",realm="CONTOSO.TEST"} 1"#, "# TYPE ccgd_account_fetch_seconds histogram",
        ] {
            XCTAssertTrue(metrics.contains(line), "missing \(line)")
        }
    }

    func testTermStopsCleanlyAndRemovesTheSocket() throws {
        let daemon = try started()
        XCTAssertEqual(daemon.stop(), 0, daemon.logText)
        XCTAssertFalse(FileManager.default.fileExists(atPath: daemon.socket))
        XCTAssertFalse(daemon.logText.contains("ERROR"), daemon.logText)
    }

    func testSecondDaemonRefusesALiveSocket() throws {
        let daemon = try started()
        // Directories of its own: the socket is what they share.
        let outcome = try daemon.runAnother(["--state-directory", daemon.root + "/state2", "--runtime-directory", daemon.root + "/run2"])
        XCTAssertFalse(outcome.stillRunning)
        XCTAssertNotEqual(outcome.status, 0)
        XCTAssertTrue(outcome.output.contains("another server is listening on \(daemon.socket); stop it first or choose another socket path."), outcome.output)
    }
}
