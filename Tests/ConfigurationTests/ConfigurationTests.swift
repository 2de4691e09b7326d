import Configuration
import Directory
import Foundation
import XCTest
import DomainModel

final class ConfigurationTests: XCTestCase {
    private func problems(_ text: String) -> [String] {
        do {
            _ = try ServiceConfiguration(text: text, file: "ccgd.conf")
            return []
        } catch {
            return error.problems.map(\.description)
        }
    }

    func testShippedExampleParsesToTheDefaults() throws {
        let path = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("docs/ccgd.conf.example").path
        let configuration = try ServiceConfiguration(text: try String(contentsOfFile: path, encoding: .utf8), file: path)
        var defaults = ServiceConfiguration()
        defaults.sourceFile = path
        XCTAssertEqual(configuration, defaults, "the example documents the defaults")
    }

    func testTheCredSpecDirectoryIsWatchedUnlessTurnedOff() throws {
        XCTAssertTrue(try ServiceConfiguration(text: "", file: "ccgd.conf").daemon.watchCredSpecDirectory)
        XCTAssertFalse(try ServiceConfiguration(text: "[daemon]\nwatch-credspec-directory = no\n", file: "ccgd.conf").daemon.watchCredSpecDirectory)
        XCTAssertEqual(problems("[daemon]\nwatch-credspec-directory = sometimes\n").count, 1)
    }

    func testEmptyFileMeansDefaults() throws {
        let configuration = try ServiceConfiguration(text: "", file: "ccgd.conf")
        XCTAssertEqual(configuration.daemon.socket, "/run/ccgd/ccgd.sock")
        XCTAssertEqual(configuration.daemon.allowedUIDs, [0])
        XCTAssertEqual(configuration.plugins.timeout, .seconds(10))
        XCTAssertFalse(configuration.plugins.allowInline)
    }

    func testTheECSFrontEndIsOffWithoutItsSectionAndOnWithIt() throws {
        XCTAssertFalse(try ServiceConfiguration(text: "", file: "ccgd.conf").ecs.enabled)
        let configuration = try ServiceConfiguration(
            text: "[ecs]\nsocket = /run/cf/cf.sock\nsocket-mode = 0600\nkrb-files-directory = /var/cf/krbdir\n", file: "ccgd.conf")
        XCTAssertTrue(configuration.ecs.enabled)
        XCTAssertEqual(configuration.ecs.socket, "/run/cf/cf.sock")
        XCTAssertEqual(configuration.ecs.socketMode, 0o600)
        XCTAssertEqual(configuration.ecs.krbFilesDirectory, "/var/cf/krbdir")
        XCTAssertFalse(try ServiceConfiguration(text: "[ecs]\nenabled = no\n", file: "ccgd.conf").ecs.enabled)
        XCTAssertEqual(
            problems("[ecs]\nkrb-files-directory = krbdir\nport = 1\n"),
            [
                "ccgd.conf:2: krb-files-directory: \"krbdir\" is not an absolute path.",
                "ccgd.conf:3: port: unknown key in [ecs]; the keys there are enabled, socket, socket-mode, krb-files-directory, lease-uid, lease-gid, lease-mode.",
            ])
    }

    /// Today's owner (the agent) by default; `[ecs]` sets the owner and mode for every gMSA, and
    /// `[ecs-gmsa "NAME"]` for one, each of its keys over `[ecs]`'s.
    func testTheOwnerOfECSLeaseFilesIsTheAgentUnlessConfiguredPerHostOrPerGMSA() throws {
        let plain = try ServiceConfiguration(text: "[ecs]\n", file: "ccgd.conf").ecs
        XCTAssertEqual(plain.leaseFiles, .init())
        XCTAssertEqual(plain.leaseFiles(forGMSA: "WebApp01"), .init(), "no uid, gid or mode: the agent's, owner only")
        let ecs = try ServiceConfiguration(
            text: """
                [ecs]
                lease-uid = 1000
                lease-gid = 1000
                [ecs-gmsa "WebApp02$"]
                lease-gid = 4000
                lease-mode = Group
                [ecs-gmsa "Reports"]
                lease-uid = 0
                """, file: "ccgd.conf"
        ).ecs
        XCTAssertEqual(ecs.leaseFiles(forGMSA: "WebApp01"), .init(uid: 1000, gid: 1000))
        XCTAssertEqual(ecs.leaseFiles(forGMSA: "webapp02"), .init(uid: 1000, gid: 4000, mode: .group), "the name in any case, with or without $")
        XCTAssertEqual(ecs.leaseFiles(forGMSA: "WEBAPP02$"), .init(uid: 1000, gid: 4000, mode: .group))
        XCTAssertEqual(ecs.leaseFiles(forGMSA: "Reports"), .init(uid: 0, gid: 1000))
    }

    func testECSLeaseFileKeysAreChecked() {
        XCTAssertEqual(
            problems("[ecs]\nlease-uid = -1\nlease-gid = 4294967295\nlease-mode = world\n"),
            [
                "ccgd.conf:2: lease-uid: \"-1\" is not a numeric id from 0 to 4294967294.",
                "ccgd.conf:3: lease-gid: \"4294967295\" is not a numeric id from 0 to 4294967294.",
                "ccgd.conf:4: lease-mode: \"world\" is not owner (only lease-uid reads the files) or group (lease-gid reads them too).",
            ])
        XCTAssertEqual(
            problems("[ecs]\nlease-mode = group\n"),
            [
                "ccgd.conf:2: lease-mode: lease-mode = group in [ecs] needs lease-gid, the group whose members may read the files; set it."
            ])
        XCTAssertEqual(
            problems("[ecs]\n[ecs-gmsa \"WebApp01\"]\nlease-mode = group\n"),
            [
                "ccgd.conf:3: lease-mode: lease-mode = group for [ecs-gmsa \"WebApp01\"] needs lease-gid, there or in [ecs]; set it."
            ])
        XCTAssertEqual(problems("[ecs]\nlease-gid = 4000\n[ecs-gmsa \"WebApp01\"]\nlease-mode = group\n"), [], "the gid of [ecs] serves")
        XCTAssertEqual(problems("[ecs]\nlease-mode = group\nlease-gid = 4000\n[ecs-gmsa \"WebApp01\"]\nlease-mode = owner\n"), [])
        XCTAssertEqual(
            problems("[ecs-gmsa \"WebApp01\"]\nlease-uid = 1000\n"),
            [
                "ccgd.conf:1: [ecs-gmsa \"WebApp01\"] has no effect without an [ecs] section; add [ecs] or remove it."
            ])
        XCTAssertEqual(
            problems("[ecs]\n[ecs-gmsa \"CONTOSO\\WebApp01\"]\n[ecs-gmsa \"webapp02\"]\n[ecs-gmsa \"WebApp02$\"]\nsocket = /x\n"),
            [
                "ccgd.conf:2: [ecs-gmsa \"CONTOSO\\WebApp01\"]: \"CONTOSO\\WebApp01\" is not a gMSA's name like WebApp01 (no domain, as in the CredSpec's GroupManagedServiceAccounts).",
                "ccgd.conf:4: gMSA WebApp02$ of [ecs-gmsa] is configured twice; keep one section.",
                "ccgd.conf:5: socket: unknown key in [ecs-gmsa \"WebApp02$\"]; the keys there are lease-uid, lease-gid, lease-mode.",
            ])
    }

    func testTheMetricsListenerIsOffByDefaultAndOnLoopbackWhenOnlyAPortIsGiven() throws {
        XCTAssertNil(try ServiceConfiguration(text: "", file: "ccgd.conf").metrics.listen)
        XCTAssertNil(try ServiceConfiguration(text: "[metrics]\nlisten =\n", file: "ccgd.conf").metrics.listen)
        let port = try ServiceConfiguration(text: "[metrics]\nlisten = 9464\n", file: "ccgd.conf").metrics.listen
        XCTAssertEqual(port, .init(host: "127.0.0.1", port: 9464))
        XCTAssertEqual(
            try ServiceConfiguration(text: "[metrics]\nlisten = 192.0.2.7:9100\n", file: "ccgd.conf").metrics.listen?.description,
            "192.0.2.7:9100")
        XCTAssertEqual(
            try ServiceConfiguration(text: "[metrics]\nlisten = [::1]:9464\n", file: "ccgd.conf").metrics.listen,
            .init(host: "::1", port: 9464))
        for bad in ["localhost:9464", "127.0.0.1:", "9464x", "70000", "[::1]9464", "1.2.3:9"] {
            XCTAssertEqual(
                problems("[metrics]\nlisten = \(bad)\n"),
                [
                    "ccgd.conf:2: listen: \"\(bad)\" is not PORT, ADDRESS:PORT or [IPV6-ADDRESS]:PORT (e.g. 127.0.0.1:9464); empty turns the listener off."
                ], bad)
        }
    }

    func testAFileNamedOnTheCommandLineMustExistAndTheDefaultMayBeMissing() throws {
        let missing = NSTemporaryDirectory() + "/ccgd-missing-\(UUID().uuidString).conf"
        XCTAssertThrowsError(try ServiceConfiguration.load(path: missing, named: true)) { error in
            XCTAssertEqual(
                "\(error)", "\(missing): no such file; create it (docs/ccgd.conf.example has every key and its default) or name another with --config.")
        }
        XCTAssertThrowsError(try ServiceConfiguration.load(path: missing))
        // Without a file at the default path, ccgd runs on the defaults, and says where they came from.
        if !FileManager.default.fileExists(atPath: ServiceConfiguration.defaultPath) {
            XCTAssertEqual(try ServiceConfiguration.load().sourceFile, "")
            XCTAssertThrowsError(try ServiceConfiguration.load(named: true))
        }
    }

    func testDurationsAreWrittenAsTheConfigurationWritesThem() {
        XCTAssertEqual(DurationText.text(.seconds(10)), "10s")
        XCTAssertEqual(DurationText.text(.milliseconds(500)), "500ms")
        XCTAssertEqual(DurationText.text(.milliseconds(1500)), "1500ms")
        XCTAssertEqual(DurationText.text(.seconds(120)), "2m")
        XCTAssertEqual(DurationText.text(.seconds(90)), "90s")
        XCTAssertEqual(DurationText.text(.seconds(3600)), "1h")
    }

    func testRefreshTimingsAreReadAndCheckedAgainstEachOther() throws {
        let configuration = try ServiceConfiguration(text: "[refresh]\nticket-renewal = 50%\nretry = 2s\nretry-maximum = 1m\n", file: "ccgd.conf")
        XCTAssertEqual(configuration.refresh.ticketRenewal, 0.5)
        XCTAssertEqual(configuration.refresh.retry, .seconds(2))
        XCTAssertEqual(configuration.refresh.retryMaximum, .seconds(60))
        XCTAssertEqual(
            problems("[refresh]\nticket-renewal = 100%\n"),
            ["ccgd.conf:2: ticket-renewal: \"100%\" is not a share of a ticket's life between 10% and 95%, like 80%."])
        XCTAssertEqual(
            problems("[refresh]\nretry = 5m\nretry-maximum = 1m\n"),
            ["ccgd.conf:1: retry-maximum: retry-maximum is shorter than retry; make it at least as long."])
    }

    func testEveryKeyIsRead() throws {
        let configuration = try ServiceConfiguration(
            text: """
                # comment
                [daemon]
                socket = /tmp/x.sock
                socket-mode = 0600
                socket-group = ccgd
                allowed-uids = 0, 1000
                allowed-gids = 990
                runtime-directory = /tmp/run
                state-directory = /tmp/state
                credspec-directory = /tmp/specs
                log-level = DEBUG

                [plugins]
                directory = /opt/plugins
                timeout = 500ms
                allow-inline = yes

                [plugin "{859E1386-BDB4-49E8-85C7-3070B13920E1}"]
                name = "AWS "
                executable = /opt/plugins/aws
                arguments = --region eu-west-1
                environment = A=1 B=x=y
                timeout = 2m

                [plugin "ccc2a336-d7f3-4818-a213-272b7924213e"]
                shared-object = /opt/plugins/aks.so

                [domain "contoso.com"]
                controllers = dc1.contoso.com, dc2.contoso.com=192.0.2.11:3890
                protection = ldaps
                ca-file = /etc/ssl/contoso.pem
                timeout = 3s
                """, file: "ccgd.conf")
        XCTAssertEqual(configuration.daemon.socketMode, 0o600)
        XCTAssertEqual(configuration.daemon.socketGroup, "ccgd")
        XCTAssertEqual(configuration.daemon.allowedUIDs, [0, 1000])
        XCTAssertEqual(configuration.daemon.allowedGIDs, [990])
        XCTAssertEqual(configuration.daemon.logLevel, "debug")
        XCTAssertEqual(configuration.daemon.credSpecDirectory, "/tmp/specs")
        XCTAssertEqual(configuration.plugins.timeout, .milliseconds(500))
        XCTAssertTrue(configuration.plugins.allowInline)
        XCTAssertEqual(configuration.registeredPlugins.count, 2)
        let aws = configuration.registeredPlugins[0]
        XCTAssertEqual(aws.guid, UUID(uuidString: "859E1386-BDB4-49E8-85C7-3070B13920E1"))
        XCTAssertEqual(aws.kind, .executable(path: "/opt/plugins/aws", arguments: ["--region", "eu-west-1"]))
        XCTAssertEqual(aws.name, "AWS ")
        XCTAssertEqual(aws.environment, ["A": "1", "B": "x=y"])
        XCTAssertEqual(aws.timeout, .seconds(120))
        XCTAssertEqual(aws.line, 18)
        XCTAssertEqual(configuration.registeredPlugins[1].kind, .sharedObject(path: "/opt/plugins/aks.so"))
        let domain = try XCTUnwrap(configuration.domain("CONTOSO.COM"))
        XCTAssertEqual(
            domain.controllers,
            [
                DomainController(hostName: "dc1.contoso.com"),
                DomainController(hostName: "dc2.contoso.com", address: "192.0.2.11", ldapPort: 3890),
            ])
        XCTAssertEqual(domain.protection, .ldaps)
        XCTAssertEqual(domain.timeout, .seconds(3))
    }

    func testPrefetchKeysAreReadWithTheirDefaults() throws {
        let defaults = try ServiceConfiguration(text: "[daemon]\n", file: "ccgd.conf").daemon
        XCTAssertTrue(defaults.prefetch)
        XCTAssertEqual(defaults.prefetchConcurrency, 2)
        XCTAssertEqual(defaults.prefetchWindow, .seconds(120))
        XCTAssertEqual(defaults.prefetchRecent, .seconds(86_400))
        let set = try ServiceConfiguration(
            text: "[daemon]\nprefetch = no\nprefetch-concurrency = 5\nprefetch-window = 750ms\nprefetch-recent = 2h\n", file: "ccgd.conf"
        ).daemon
        XCTAssertFalse(set.prefetch)
        XCTAssertEqual(set.prefetchConcurrency, 5)
        XCTAssertEqual(set.prefetchWindow, .milliseconds(750))
        XCTAssertEqual(set.prefetchRecent, .seconds(7200))
        let none = try ServiceConfiguration(text: "[daemon]\nprefetch-window = 0\nprefetch-recent = 0\n", file: "ccgd.conf").daemon
        XCTAssertEqual(none.prefetchWindow, .zero)
        XCTAssertEqual(none.prefetchRecent, .zero)
        let former = try ServiceConfiguration(text: "[daemon]\nprefetch-delay = 30s\n", file: "ccgd.conf").daemon
        XCTAssertEqual(former.prefetchWindow, .seconds(30), "prefetch-delay, the former name, still sets the window")
    }

    func testACredSpecSectionOptsInToPrefetchWithoutMakingAnAllowList() throws {
        let configuration = try ServiceConfiguration(
            text: """
                [credspec "WebApp01"]
                prefetch = yes

                [credspec "Billing"]
                prefetch = yes
                allowed-uids = 1000

                [credspec "Locked"]
                """, file: "ccgd.conf")
        let sections = Dictionary(uniqueKeysWithValues: configuration.credSpecAccess.map { ($0.name, $0) })
        XCTAssertEqual(sections["WebApp01"]?.prefetch, true)
        XCTAssertEqual(sections["WebApp01"]?.restrictsUse, false, "only an opt-in to prefetch: every allowed peer may still use it")
        XCTAssertEqual(sections["Billing"]?.prefetch, true)
        XCTAssertEqual(sections["Billing"]?.restrictsUse, true)
        XCTAssertEqual(sections["Locked"]?.prefetch, false)
        XCTAssertEqual(sections["Locked"]?.restrictsUse, true, "an empty section keeps its meaning: root only")
    }

    func testOCIHookInPodsIsOffByDefaultAndMakesNoAllowListAlone() throws {
        let configuration = try ServiceConfiguration(
            text: """
                [credspec "WebApp01"]
                oci-hook-in-pods = yes

                [credspec "Billing"]
                oci-hook-in-pods = yes
                allowed-uids = 1000

                [credspec "Reports"]
                prefetch = yes
                oci-hook-in-pods = no

                [credspec "Locked"]
                allowed-gids = 2000
                """, file: "ccgd.conf")
        let sections = Dictionary(uniqueKeysWithValues: configuration.credSpecAccess.map { ($0.name, $0) })
        XCTAssertEqual(sections["WebApp01"]?.ociHookInPods, true)
        XCTAssertEqual(sections["WebApp01"]?.restrictsUse, false, "only an opt-in for pods: every allowed peer may still use it")
        XCTAssertEqual(sections["Billing"]?.ociHookInPods, true)
        XCTAssertEqual(sections["Billing"]?.restrictsUse, true)
        XCTAssertEqual(sections["Reports"]?.ociHookInPods, false)
        XCTAssertEqual(sections["Reports"]?.restrictsUse, false)
        XCTAssertEqual(sections["Locked"]?.ociHookInPods, false, "off unless the section says yes")
        XCTAssertEqual(ServiceConfiguration.CredSpecAccess(name: "Any").ociHookInPods, false)
        XCTAssertEqual(
            problems("[credspec \"WebApp01\"]\noci-hook-in-pods = sometimes\noci-hook-in-pod = yes\n"),
            [
                "ccgd.conf:2: oci-hook-in-pods: \"sometimes\" is not yes or no.",
                "ccgd.conf:3: oci-hook-in-pod: unknown key in [credspec \"WebApp01\"]; the keys there are allowed-uids, allowed-gids, prefetch, oci-hook-in-pods, kubernetes-service-accounts.",
            ])
    }

    func testConnectionLimitsAreReadWithTheirDefaults() throws {
        let defaults = try ServiceConfiguration(text: "[daemon]\n", file: "ccgd.conf").daemon
        XCTAssertEqual(defaults.maxConnections, 4096)
        XCTAssertEqual(defaults.maxConnectionsPerUID, 32)
        XCTAssertEqual(defaults.rootReservedConnections, 256)
        let set = try ServiceConfiguration(
            text: "[daemon]\nmax-connections = 100\nmax-connections-per-uid = 8\nroot-reserved-connections = 0\n", file: "ccgd.conf"
        ).daemon
        XCTAssertEqual(set.maxConnections, 100)
        XCTAssertEqual(set.maxConnectionsPerUID, 8)
        XCTAssertEqual(set.rootReservedConnections, 0)
    }

    func testBadConnectionLimitsAreLocated() {
        XCTAssertEqual(
            problems("[daemon]\nmax-connections = 0\nmax-connections-per-uid = some\nroot-reserved-connections = -1\n"),
            [
                "ccgd.conf:2: max-connections: \"0\" is not a number of connections from 1 to 65536.",
                "ccgd.conf:3: max-connections-per-uid: \"some\" is not a number of connections from 1 to 65536.",
                "ccgd.conf:4: root-reserved-connections: \"-1\" is not a number of connections from 0 to 65536.",
            ])
        XCTAssertEqual(
            problems("[daemon]\nmax-connections = 100\nroot-reserved-connections = 100\n"),
            [
                "ccgd.conf:3: root-reserved-connections: 100 reserved for root leaves no connection of max-connections (100) to other peers; make it smaller than max-connections."
            ])
        XCTAssertEqual(
            problems("[daemon]\nmax-connections = 200\n"),
            [
                "ccgd.conf:2: max-connections: 200 leaves no connection to peers other than root beside the 256 of root-reserved-connections (its default); raise max-connections or set root-reserved-connections below it."
            ], "the default reserve counts too")
    }

    func testBadPrefetchKeysAreLocated() {
        XCTAssertEqual(
            problems("[daemon]\nprefetch = later\nprefetch-concurrency = 0\nprefetch-window = -1s\nprefetch-concurrency = many\nprefetch-recent = soon\n"),
            [
                "ccgd.conf:2: prefetch: \"later\" is not yes or no.",
                "ccgd.conf:3: prefetch-concurrency: \"0\" is not a number of concurrent fetches per domain from 1 to 64.",
                "ccgd.conf:4: prefetch-window: \"-1s\" is not a positive duration like 10s, 500ms or 2m.",
                "ccgd.conf:5: prefetch-concurrency: set twice in [daemon]; keep one.",
                "ccgd.conf:5: prefetch-concurrency: \"many\" is not a number of concurrent fetches per domain from 1 to 64.",
                "ccgd.conf:6: prefetch-recent: \"soon\" is not a positive duration like 10s, 500ms or 2m.",
            ])
        XCTAssertEqual(
            problems("[daemon]\nprefetch-window = 1m\nprefetch-delay = 5s\n"),
            [
                "ccgd.conf:3: prefetch-delay: prefetch-delay is the former name of prefetch-window; keep prefetch-window only."
            ])
        XCTAssertEqual(problems("[credspec \"WebApp01\"]\nprefetch = eager\n"), ["ccgd.conf:2: prefetch: \"eager\" is not yes or no."])
    }

    func testAuthorizationKeysAreRead() throws {
        let configuration = try ServiceConfiguration(
            text: """
                [daemon]
                allow-inline-credspecs = yes
                [caller "1000"]
                owner-uids = 1001, 100000-165535
                owner-gids = 100000-165535
                [credspec "WebApp01.json"]
                allowed-uids = 1000
                allowed-gids = 2000-2099, 3000
                """, file: "ccgd.conf")
        XCTAssertTrue(configuration.daemon.allowInlineCredSpecs)
        XCTAssertFalse(ServiceConfiguration().daemon.allowInlineCredSpecs, "off by default")
        let caller = try XCTUnwrap(configuration.caller(1000))
        XCTAssertEqual(caller.ownerUIDs, IDRanges([1001...1001, 100_000...165_535]))
        XCTAssertEqual(caller.ownerGIDs.description, "100000-165535")
        XCTAssertNil(configuration.caller(1001))
        XCTAssertEqual(
            configuration.credSpecAccess,
            [
                ServiceConfiguration.CredSpecAccess(
                    name: "WebApp01", allowedUIDs: IDRanges([1000...1000]), allowedGIDs: IDRanges([2000...2099, 3000...3000]))
            ])
    }

    func testBadAuthorizationKeysAreLocated() {
        XCTAssertEqual(
            problems(
                """
                [caller "alice"]
                [caller "1000"]
                owner-uids = 5-1
                owner-gids = 1000-
                [credspec "A"]
                allowed-uids = x
                [credspec "A.json"]
                [credspec]
                """),
            [
                "ccgd.conf:1: [caller \"alice\"]: \"alice\" is not a numeric user id.",
                "ccgd.conf:3: owner-uids: \"5-1\" is not a list of numeric ids and ranges like 1000, 100000-165535.",
                "ccgd.conf:4: owner-gids: \"1000-\" is not a list of numeric ids and ranges like 1000, 100000-165535.",
                "ccgd.conf:6: allowed-uids: \"x\" is not a list of numeric ids and ranges like 1000, 100000-165535.",
                "ccgd.conf:7: CredSpec A is configured twice; keep one section.",
                "ccgd.conf:8: [credspec] needs an argument: write [credspec \"NAME\"].",
            ])
    }

    func testDomainJoinedKeysAreReadWithTheirDefaults() throws {
        let configuration = try ServiceConfiguration(
            text: """
                [domain "contoso.test"]
                mode = domain-joined
                machine-keytab = /etc/ccgd/host.keytab
                machine-principal = WEB01$@CONTOSO.TEST
                [domain "other.test"]
                """, file: "ccgd.conf")
        let joined = try XCTUnwrap(configuration.domain("CONTOSO.TEST"))
        XCTAssertTrue(joined.forcesDomainJoined)
        XCTAssertEqual(joined.machineKeytab, "/etc/ccgd/host.keytab")
        XCTAssertEqual(joined.machinePrincipal, "WEB01$@CONTOSO.TEST")
        let other = try XCTUnwrap(configuration.domain("OTHER.TEST"))
        XCTAssertFalse(other.forcesDomainJoined)
        XCTAssertEqual(other.machineKeytab, "/etc/krb5.keytab")
        XCTAssertNil(other.machinePrincipal)
        XCTAssertEqual(
            problems(
                """
                [domain "x.test"]
                mode = joined
                machine-keytab = krb5.keytab
                machine-principal = WEB01$
                """),
            [
                "ccgd.conf:2: mode: \"joined\" is not credspec or domain-joined.",
                "ccgd.conf:3: machine-keytab: \"krb5.keytab\" is not an absolute path.",
                "ccgd.conf:4: machine-principal: \"WEB01$\" is not NAME$@REALM.",
            ])
    }

    func testEveryProblemIsReportedWithLineAndKey() {
        XCTAssertEqual(
            problems(
                """
                [daemon]
                sockett = /run/x
                socket-mode = 999
                allowed-uids = root
                log-level = loud
                [plugins]
                timeout = soon
                allow-inline = maybe
                directory = relative/path
                [mystery]
                [plugin "{GDMA0342-266A-4D1P-831J-20990E82944F}"]
                [plugin "{859E1386-BDB4-49E8-85C7-3070B13920E1}"]
                [plugin "{859E1386-BDB4-49E8-85C7-3070B13920E2}"]
                executable = /a
                shared-object = /b.so
                [domain "X.TEST"]
                protection = signed
                controllers = ok.x.test bad=
                just text
                """),
            [
                "ccgd.conf:2: sockett: unknown key in [daemon]; the keys there are socket, socket-mode, socket-group, allowed-uids, allowed-gids, runtime-directory, state-directory, credspec-directory, watch-credspec-directory, dns-servers, site, log-level, allow-inline-credspecs, prefetch, prefetch-concurrency, prefetch-window, prefetch-delay, prefetch-recent, max-leases-per-caller, runtime-reserve, max-connections, max-connections-per-uid, root-reserved-connections.",
                "ccgd.conf:3: socket-mode: \"999\" is not an octal file mode like 0660.",
                "ccgd.conf:4: allowed-uids: \"root\" is not a list of numeric ids like 0, 1000.",
                "ccgd.conf:5: log-level: \"loud\" is not a log level (trace, debug, info, notice, warning, error, critical).",
                "ccgd.conf:7: timeout: \"soon\" is not a positive duration like 10s, 500ms or 2m.",
                "ccgd.conf:8: allow-inline: \"maybe\" is not yes or no.",
                "ccgd.conf:9: directory: \"relative/path\" is not an absolute path.",
                "ccgd.conf:10: unknown section [mystery]; the sections are [daemon], [plugins], [refresh], [ecs], [ecs-gmsa \"NAME\"], [csi], [metrics], [plugin \"{GUID}\"], [domain \"REALM\"], [caller \"UID\"] and [credspec \"NAME\"].",
                "ccgd.conf:11: [plugin \"{GDMA0342-266A-4D1P-831J-20990E82944F}\"]: \"{GDMA0342-266A-4D1P-831J-20990E82944F}\" is not a GUID (expected {xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx}).",
                "ccgd.conf:12: [plugin \"{859E1386-BDB4-49E8-85C7-3070B13920E1}\"] sets neither shared-object nor executable; say where the plug-in is.",
                "ccgd.conf:13: [plugin \"{859E1386-BDB4-49E8-85C7-3070B13920E2}\"] sets both shared-object and executable; keep one.",
                "ccgd.conf:17: protection: \"signed\" is not sealed or ldaps.",
                "ccgd.conf:18: controllers: \"bad=\" is not NAME or NAME=ADDRESS[:PORT].",
                "ccgd.conf:19: expected key = value, found just text.",
            ])
    }

    func testRepeatedKeysSectionsAndPluginsAreErrors() {
        XCTAssertEqual(
            problems(
                """
                [daemon]
                socket = /a
                socket = /b
                [daemon]
                [plugin "859E1386-BDB4-49E8-85C7-3070B13920E1"]
                executable = /x
                [plugin "{859e1386-bdb4-49e8-85c7-3070b13920e1}"]
                executable = /y
                """),
            [
                "ccgd.conf:3: socket: set twice in [daemon]; keep one.",
                "ccgd.conf:4: [daemon] appears twice; merge the two sections.",
                "ccgd.conf:7: plug-in {859e1386-bdb4-49e8-85c7-3070b13920e1} is registered twice; keep one section.",
            ])
    }

    func testSyntaxErrorsAreLocated() {
        XCTAssertEqual(
            problems("socket = /x\n[daemon\n[plugin \"x]\n[daemon]\nsocket = \"/open\n= value"),
            [
                "ccgd.conf:1: socket: socket comes before any [section]; put it under the section it belongs to.",
                "ccgd.conf:2: a section header must end with ]; write [name] or [name \"argument\"].",
                "ccgd.conf:3: malformed section header [plugin \"x]; write [name \"argument\"].",
                "ccgd.conf:5: socket: the quoted value has no closing \".",
                "ccgd.conf:6: a line starts with = and names no key.",
            ])
    }

    func testDurationsBeyondTheRangeAreProblems() {
        // 59E138s overflowed Int64 and killed ccgd (found by scripts/fuzz); 0.1ms would be a zero timeout.
        XCTAssertEqual(
            problems(
                "[plugins]\ntimeout = 59E138\n[domain \"X.TEST\"]\ntimeout = 0.0001s\n[daemon]\n[plugin \"{859E1386-BDB4-49E8-85C7-3070B13920E1}\"]\nexecutable = /a\ntimeout = 25h"
            ),
            [
                "ccgd.conf:2: timeout: \"59E138\" is out of range; give a duration from 1ms to 24h.",
                "ccgd.conf:4: timeout: \"0.0001s\" is out of range; give a duration from 1ms to 24h.",
                "ccgd.conf:8: timeout: \"25h\" is out of range; give a duration from 1ms to 24h.",
            ])
        XCTAssertEqual(problems("[plugins]\ntimeout = 24h\n[domain \"X.TEST\"]\ntimeout = 1ms"), [])
    }

    /// The input scripts/fuzz (FuzzConfiguration) crashed on, byte for byte.
    func testFuzzCrashWithAHugeTimeoutIsAProblem() throws {
        let crash = Data(
            base64Encoded:
                "W2RhZW1vbl0Kc29ja2V0IF8gIi9ydW4vY2NnZC9jY2dkLnNvY2siCnNvY2tldC1tb2RlID0gMDY2MAphbGxvd2VkLXVpZHMgPSAw"
                + "IDEwMDAKYWxsb3dlZC1naWRzID0gOTk4CmRucy1zZXJ2ZXJzID0gMTI3LjAuMC4xOjUzIDEwLjAuMC4yCmxvZy1sZXZlbCA9IGRl"
                + "YnVnCgpbcGx1Z2luc10KdGltZW91dCA9IDUwMG1rZXQgXyAiL3J1bi9jY2dkL2NjZ2Quc29jayIKc29ja2V0LW1vZGUgPSAwNjYw"
                + "CmFsbG93ZWQtdWlkcyA9IDAgMTAwMAphbGxvd2VkLWdpZHMgPSA5OTgKZG5zLXNlcnZlcnMgPSAxMjcuMC4wLjE6NTMgMTAuMC4w"
                + "LjIKbG9nLWxldmVsID0gZGVidWcKCltwbHVnaW5zXQp0aW1lb3V0ID0gNTAwbXMKYWxsb3ctaW5saW5lID0geWVzCgpbcGx1Z2lu"
                + "ICJ7ODU5RTEzODYtQkRCNC00OUU4LTg1QzctMzA3MEIxMzkyMEUxfSJdCm5hLmV4YW1wbGUga2V5ID0gYmVmb3JlIGFueSBzZWN0"
                + "aWRlID0gMDY2MAphbGxvd2VkLXVpZHMgPSAwIDEwMDAKYWxsb3dlZC1naWRzIGUgPSAgV1NBU2VjcmV0cyBNYW5hZ2VyCnNoYXJl"
                + "ZC1vYmplY3QgPSAvdXNyL2xpYi9jY2dkL3BsdWdpbnMvYXdzLnNvCnRpbWVvdXQgPSAybQoKW3BsdWdpbiAiezBCO29sRjNDMkE5"
                + "Qi0xRDRFLTRGNkEtdCA9IDEwcw0KOyAgPSBjb21tZ2luc10NCmtleSA9IGJlZm9yZSBhbnkgc2VjdGlvbgpbZGRjMS5jb250b3Nv"
                + "LnRlc3QgZGMyLmNvbnRvc28udGFldWdpbl0KW3BsdWdpbiAibm90LWEtZ3VpZCJdCltkYWVtb25dCnNvY2tldC1tPSA5OTgKZG5z"
                + "LXNlcnZlcnMgPSAxMjcuMC4wLjE6NTMgMTAuMC4wLjIKbG9nLWxldmVsID0gZGVidWcKCltwbHVnaW5zXQp0aW1lb3V0ID0gNTAw"
                + "bXM6NTMgMTAuMC4wLjIKbG9nLWxldmVsID0gZGVidWcKCltwbHVnaW5zXQp0aW1lb3V0ID0gNTAwbXMKYWxsb3ctW2RhZW1vbl0K"
                + "c29ja2V0ID0gIi9ydWlubGluZSA9IHllcwoKW3BsdWdpbiAiezg1OUUxMzg2LUJEQjQtNDlFOC04NUM3LTMwNzBCMTM5MjBFMX0i"
                + "XQpuYS5leGFtcGxuL2NjZ2QvY2NnZC5zb2NrIgpzb2NrZXQtbW9kZSA9IDA2NjAKYWxsb3dlZC11aWRzID0gMCAxMDAwCmFsbG93"
                + "ZWQtZ2Uga24gIm5vdC1hLWd1aWQiXQpbZGFlbW9uQT1iCgpbZG9tYWluICJDT05UT1NPLlRFU1QiXQpjb250cm9sbGVycyA9b24K"
                + "Y29udHJvbGxlcwphbGxvdy1pbmxpbmUgPSB5ZXMKCltwbHVnaW4gIns4aWRzID0gOTk4CmRucy1zZXJ2ZXJzID0gMTI3LjAuMC4x"
                + "OjUzNSAxMC4wLjAuMgpsb2ctbGV2ZWwgPSBkZWJ1ZwoKW3BsdWdpbnNdCnRpbWVvdXQgPSA1MDBtcwphbGxvdy1pbmxpbmUgPSB5"
                + "bGRhcHNwbHVnaW4gIns4NTlFMTMoNgp0aW1lb3V0ID0gNTlFMTM4"
        )!
        let text = try XCTUnwrap(String(data: crash, encoding: .utf8))
        XCTAssertTrue(problems(text).contains { $0.contains("\"59E138\" is out of range") }, "\(problems(text))")
    }

    func testMalformedDNSServersAreProblems() throws {
        // A lone ":" read parts[0] of nothing and killed ccgd (found by scripts/fuzz).
        XCTAssertEqual(
            problems("[daemon]\ndns-servers = 127.0.0.1 : 1..2.3.4 10.0.0.1: 10.0.0.2:53"),
            [
                "ccgd.conf:2: dns-servers: \":\" is not an IPv4 address[:port].",
                "ccgd.conf:2: dns-servers: \"1..2.3.4\" is not an IPv4 address[:port].",
                "ccgd.conf:2: dns-servers: \"10.0.0.1:\" is not an IPv4 address[:port].",
            ])
        let configuration = try ServiceConfiguration(text: "[daemon]\ndns-servers = 127.0.0.1, 10.0.0.2:53", file: "ccgd.conf")
        XCTAssertEqual(configuration.daemon.dnsServers, ["127.0.0.1", "10.0.0.2:53"])
    }

    func testSiteKeyNamesTheHostsADSiteOrLeavesItToTheLDAPPing() throws {
        XCTAssertNil(try ServiceConfiguration(text: "[daemon]\n", file: "ccgd.conf").daemon.site)
        XCTAssertNil(try ServiceConfiguration(text: "[daemon]\nsite =\n", file: "ccgd.conf").daemon.site)
        XCTAssertEqual(try ServiceConfiguration(text: "[daemon]\nsite = Branch-2\n", file: "ccgd.conf").daemon.site, "Branch-2")
        XCTAssertEqual(
            problems("[daemon]\nsite = Branch.Office"),
            ["ccgd.conf:2: site: \"Branch.Office\" is no AD site name (letters, digits, - and _, at most 63)."])
    }

    /// The second input scripts/fuzz (FuzzConfiguration) crashed on, byte for byte.
    func testFuzzCrashWithALoneColonDNSServerIsAProblem() throws {
        let crash = Data(
            base64Encoded:
                "a2V5ID0gYmVmb3JlIGFueSBzZWN0aW9uCltkYWVtb24KW3Vua25vd25dCltwbHVnaW5dCltwbHVnaW4gIm5vdC1hLWd1aWQiXQpb"
                + "ZGFlbW9uXQpzb2NrZXQtbW9kZQAAIDk5OTgKYWxsb3dlZC11aWRzID0gLTEKbm9uc2Vuc2UKPSBub3ZhbHllCmxvZy1sZXZlbCA9"
                + "ICJ1bnRlcm1pbmF0ZWQKW2RhZW1vbl0KW2RvbWFpbiAiY29udG9zby50ZXN0YmVmb3JlIGFueSBzZWN0aW9bZGFlbW9uXQpzb2Nr"
                + "ZXQgPSAiL3J1bi9jY2dkL2NjZ2xvZy1sZXZlbCB3ZWQtdWlkc3dlZC11aWRzID0gMCAxMDAwCmFsbGRzID0gOTk4CmRucy1zZXJ2"
                + "ZXJzID0gMTI3LjAuMC4xOi1tb2RlID0gMDY2MAphbGRzL3ZhdWx0LWhlZHMgPSAwIDEwMDAKYWxsZHMgPSA5OWQvY2NnbG9nLWxl"
                + "dmVsIHdlZC11aWRzd2VkLXVpZHMgPSAwIDEwMDAKYWxsZHMgPSA5OTgKZG5zLXNlcnZlcnMgPSAxMjcuMC4wLjE6LW1vZGUgPSAw"
                + "NjYwCmFsZHMvdmF1bHQtaGVscGVyCmFyZ3VtZW50cyA9bW8TAAAhAAAAAFtkYWVtb25dCnNvY2tldCA9ICIvcnVuL2NjZ2QvY2Nn"
                + "bG9nLWxldmVsIHdlZC11aWRzd2VkLXVpZHMgPSAwIDEwMDAKYWxsZHMgPSA5OTgKZG5zLXNlcnZlcnMgPSAxMjcuMC4wLjEtbT1k"
                + "ZW8gOiAwNjYwCmFsZHMvdmF1bHQtaGVscGVyCmFyZ3VtZW50cyA9bW8TAAAhAAAAAABkZSA9IDA2NjAKYWxsb3dlZC11aWRzID0g"
                + "MCAxMDAwCmFsbGRzID0gOTlkL2NjZ2xvZy1sZXZlbCB3ZWQtdWlkc3dlZC11aWRzID0gMCAxMDAwCmFsbGRzID0gOTk4CmRucy1z"
                + "ZXJ2ZXJzID0gMTI3LjAuMC4xOi1tb2RlID0gMDY2MAphbGRzL3ZhdWx0LWhlbHBlcgphcmd1bWVudHMgPW1vEwAAIQAAAAAAZGUg"
                + "PSAwNjYwCmFsbG93ZWQtdWlkcyA9IDAgMTAwMAphbGxkcyA9IDk5OApkbnMtc2VydmVycyA9IDEyNy4wLjAuMTotbW9kZSA9IDA2"
                + "NjAKYWxkLW9sd2V1aXNkID0gEAAAAAAAAAAwIDEwMDAKYWwAZGUgPSAwNjYwCmFsbG93ZWQtdWlkcyA9IDAgMTAwMAphbGxkcyA9"
                + "IGxwZXIKYXJndWRzd2VkLXVpZHMgPSAwIDEwMDAKYWxsZHMgPSA5OTgKZG5zLXNlcnZlcnMgPSAxMjcuMC4wLjE6LW1vZGUgPSAw"
                + "NjYwCmFsZHMvdmF1bHQtaGVkcyA9IDAgMTAwMAphbGxkcyA9IDk5ZC9jY2dsb2ctbGV2ZWwgd2VkLXVpZHN3ZWQtdWlkcyA9IDAg"
                + "MTAwMAphbGxkcyA9IDk5OApkbnMtc2VydmVyc2xvZy1sZXZlbCB3ZWQtdWlkc3dlZC11aWRzID0gMCAxMDAwCmFsbGRzID0gOTk4"
                + "CmRucy1zZXJ2ZXJzID0gMTI3LjAuMC4xOi1tb2RlID0gMDY2MAphbGRzL3ZhdWx0LWhlbHBlcgphNjAwIDEwMDAKYWxsb3dlZC1n"
                + "aWRzID0gOTk4CmRucy1zZWVkLDYwMCAxMDAwCmEsLCwsLCwsLCwsLCwsNjAwIDEwMDAKYWxsb3dlZC1naWRzID0gOTk4CmRucy1z"
                + "ZWVkLWdpZHMgPSA5OTgKZG5zLXNlcnZlcnMgIDk5OApkbnMtc2VlZCw2MDAgMTAwMAphLCwsLCwsLCwsLCwsLDYwMCAxMDAwCmFs"
                + "bG93ZWQtZ2lkcyA9IDk5OApkbnMtc2VlZC1naWRzID0gOTk4CmRucy1zZXJ2ZXJzID0gMTI9IDA2LCwsLCwsLCwsLCwsLCwKcnZl"
                + "cnMgPSAxMj0gMDYsLCwsLCwsLCwsLCwsLCw2MDAgMTAwMAphbGxvd2VkLWdpZHMgPSA5OTgKZG5zLXNlZWQsNjAwIDEwMDAKYWxs"
                + "b3dlZC1naWRzID0gOTk4CmRucy1zZXJ2ZXJzID0gMTI9IDA2LCwsLCwsLCwKW3VuayQAAAAAAAAAAGRlID0gMDY2MAphbGxvd2Vk"
                + "LXVpZHMgPSAwIDEwMDAKYWxsZDEyNy4wLjAuMTo1MyBhbnkgc2VjdGlvbgpbZGFlbm1vCj0gLTEKbm9uc2Vuc2luICJjb250b3Nv"
                + "LnRlIAAAAAAAAABtYWluICJDT05UT1NPLlRFU1QiY2EtZmlsZWN0aW9uID0gcGxhaW50cyA9IDk5OApkbnMtc2VydmVycyA9IDEy"
                + "Ny4wLjAuMTotbW9kZSA9IDA2NjAKYWxkLW9sd2V1aXNkID0gEAAAAAAAAAAwIDEwMDAKYWwAZGUgPSAwNjYwCmFsbG93ZWQtdWlk"
                + "cyA9IDAgMTAwMAphbGxkcyA9IGxwZXIKYXJndW1lbnRzID1tbxMAACEAAAAAAGRlAG5vd25dCltwbHVnaW5leHQKdF0KW3BsdWdp"
                + "biAibXNub3QgPSAwNjYwCmFsaW1lb3V0ID0gZm9yZXZsb3dlZC11aWRzID0gMCAxMDAwCmEtZWEtZ2xsZHMgPSA5cgo5ZC9jY2ds" + "b3U="
        )!
        let text = try XCTUnwrap(String(data: crash, encoding: .utf8))
        XCTAssertTrue(problems(text).contains { $0.contains("\":\" is not an IPv4 address[:port]") }, "\(problems(text))")
    }
}
