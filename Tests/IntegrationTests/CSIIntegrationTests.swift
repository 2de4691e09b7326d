import Foundation
import Glibc
import TestSupport
import XCTest

/// ccgd's CSI node plug-in driven by a kubelet stand-in that is not ours (CSI/kubelet.py: Python's
/// grpcio, its stubs generated from ccgd's .proto files at test time) against the test domain:
/// registration, publish of a pod's ephemeral inline volume under a kubelet-like target path, a
/// real Podman container reading the mount as the pod's non-root user, retries, unpublish,
/// refusals, a restart in between, and many pods at once.
final class CSIIntegrationTests: XCTestCase {
    var daemon: DaemonProcess?
    var root = ""
    var kubelet: String { root + "/kubelet" }
    var csiSocket: String { kubelet + "/plugins/gmsa.csi.ccgd/csi.sock" }
    var registrationSocket: String { kubelet + "/plugins_registry/gmsa.csi.ccgd-reg.sock" }

    override func tearDown() {
        if !root.isEmpty { Self.unmountAll(under: root) }
        daemon?.remove()
        if !root.isEmpty { try? FileManager.default.removeItem(atPath: root) }
    }

    override class func tearDown() {
        PodmanSandbox.removeShared()
    }

    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// The service accounts the tests grant: web/webapp for WebApp01, every one of namespace shop for WebApp02.
    static let grants = """
        [credspec "WebApp01"]
        kubernetes-service-accounts = web/webapp

        [credspec "WebApp02"]
        kubernetes-service-accounts = shop/*
        """

    /// A ccgd with `[csi]` under a kubelet directory of this test's own.
    func started(controllerAddress: String = "127.0.0.1") throws -> DaemonProcess {
        let domain = try TestDomain.require()
        try ECSIntegrationTests.requirePython()
        // Without a doubled slash: the mount table shows the kernel's path.
        root = (NSTemporaryDirectory() + "/ccgd-csi-\(UUID().uuidString.prefix(8))").replacingOccurrences(of: "//", with: "/")
        try FileManager.default.createDirectory(atPath: kubelet + "/pods", withIntermediateDirectories: true)
        let daemon = try DaemonProcess(
            domain: domain,
            extraConfiguration: """

                [csi]
                kubelet-directory = \(kubelet)
                node-id = node-1

                \(Self.grants)
                """, controllerAddress: controllerAddress)
        self.daemon = daemon
        try daemon.start()
        try waitForSockets()
        return daemon
    }

    /// The CSI sockets are bound just after the API's, which `start` waits for.
    func waitForSockets() throws {
        for _ in 0..<100 {
            if FileManager.default.fileExists(atPath: csiSocket) && FileManager.default.fileExists(atPath: registrationSocket) { return }
            usleep(50_000)
        }
        throw DaemonProcess.Failure("ccgd did not bind \(csiSocket) and \(registrationSocket) within 5 s: \(daemon?.logText.suffix(3000) ?? "")")
    }

    /// A pod as the stand-in describes it (see kubelet.py).
    struct Pod: Encodable {
        var uid = UUID().uuidString.lowercased()
        var name = "webapp-0"
        var namespace = "web"
        var serviceAccount = "webapp"
        var volume = "gmsa"
        var attributes = ["credentialSpec": "WebApp01"]
        var fsGroup: Int? = 2000
        var readOnly = true
        var podInfo = true
        var ephemeral = true
        var volumeID: String? = nil
    }

    /// Runs the stand-in; its JSON answer.
    func kubeletCall(_ arguments: [String]) throws -> Any {
        let outcome = try Command.run(
            "/usr/bin/env", ["python3", Self.repository + "/Tests/IntegrationTests/CSI/kubelet.py"] + arguments,
            environment: ["CSI_PROTO_DIR": Self.repository + "/Sources/CSIWire"])
        guard outcome.status == 0, let answer = try? JSONSerialization.jsonObject(with: Data(outcome.output.utf8)) else {
            throw DaemonProcess.Failure("kubelet.py \(arguments.first ?? "") failed: \(outcome.all)\n--- ccgd's log:\n\(daemon?.logText.suffix(4000) ?? "")")
        }
        return answer
    }

    func json(_ value: some Encodable) -> String { String(decoding: try! JSONEncoder().encode(value), as: UTF8.self) }

    func publish(_ pod: Pod) throws -> [String: Any] {
        try XCTUnwrap(try kubeletCall(["publish", csiSocket, kubelet, json(pod)]) as? [String: Any])
    }

    func unpublish(_ pod: Pod) throws -> [String: Any] {
        try XCTUnwrap(try kubeletCall(["unpublish", csiSocket, kubelet, json(pod)]) as? [String: Any])
    }

    func target(_ pod: Pod) -> String { "\(kubelet)/pods/\(pod.uid)/volumes/kubernetes.io~csi/\(pod.volume)/mount" }

    func leases(_ daemon: DaemonProcess) async throws -> [[String: Any]] {
        let (_, object, _) = try await daemon.request(.GET, "/v1/leases")
        return object["leases"] as? [[String: Any]] ?? []
    }

    /// The CSI leases' container ids.
    func containers(_ daemon: DaemonProcess) async throws -> [String] {
        try await leases(daemon).compactMap { $0["containerId"] as? String }.filter { $0.hasPrefix("csi:") }.sorted()
    }

    // MARK: - The whole path

    /// Registration, the Identity and Node information, then a pod's volume: published under a
    /// kubelet path, read in a real Podman container by the pod's non-root user through its
    /// fsGroup (klist shows the gMSA's TGT, kvno gets a service ticket), not by a user without
    /// the group; a retried publish makes no second lease; unpublish unmounts, removes the
    /// target and deletes the lease, and a second unpublish is fine.
    func testAKubeletStandInPublishesAVolumeAPodmanContainerUsesAndUnpublishes() async throws {
        let daemon = try started()
        let sandbox = try PodmanSandbox.require()

        let registration = try XCTUnwrap(try kubeletCall(["register", registrationSocket]) as? [String: [String: Any]])
        print("registration:", registration)
        let info = try XCTUnwrap(registration["GetInfo"]?["answer"] as? [String: Any])
        XCTAssertEqual(info["type"] as? String, "CSIPlugin")
        XCTAssertEqual(info["name"] as? String, "gmsa.csi.ccgd")
        XCTAssertEqual(info["endpoint"] as? String, csiSocket)
        XCTAssertEqual(info["supported_versions"] as? [String], ["1.0.0"])
        XCTAssertEqual(registration["NotifyRegistrationStatus"]?["code"] as? String, "OK")
        XCTAssertTrue(daemon.logText.contains("the kubelet registered ccgd's CSI driver"), daemon.logText.suffix(3000).description)

        let identity = try XCTUnwrap(try kubeletCall(["identity", csiSocket]) as? [String: [String: Any]])
        print("identity:", identity)
        let plugin = try XCTUnwrap(identity["GetPluginInfo"]?["answer"] as? [String: Any])
        XCTAssertEqual(plugin["name"] as? String, "gmsa.csi.ccgd")
        XCTAssertFalse((plugin["vendor_version"] as? String ?? "").isEmpty)
        XCTAssertEqual(identity["Probe"]?["code"] as? String, "OK")
        XCTAssertEqual((identity["NodeGetInfo"]?["answer"] as? [String: Any])?["node_id"] as? String, "node-1")
        let capabilities = try XCTUnwrap((identity["NodeGetCapabilities"]?["answer"] as? [String: Any])?["capabilities"] as? [[String: Any]])
        XCTAssertEqual(capabilities.compactMap { ($0["rpc"] as? [String: Any])?["type"] as? String }, ["VOLUME_MOUNT_GROUP"])
        for (service, method) in [("csi.v1.Node", "NodeStageVolume"), ("csi.v1.Node", "NodeGetVolumeStats"), ("csi.v1.Controller", "CreateVolume")] {
            let answer = try XCTUnwrap(try kubeletCall(["call", csiSocket, service, method]) as? [String: Any])
            XCTAssertEqual(answer["code"] as? String, "UNIMPLEMENTED", "\(service)/\(method)")
        }

        let pod = Pod()
        let published = try publish(pod)
        XCTAssertEqual(published["code"] as? String, "OK", "\(published)\n\(daemon.logText.suffix(3000))")
        let path = target(pod)
        XCTAssertEqual(ECSIntegrationTests.ownership(path), "0:2000 750")
        for name in ["krb5cc", "krb5.keytab", "krb5.conf"] {
            XCTAssertEqual(ECSIntegrationTests.ownership(path + "/" + name), "0:2000 640", name)
        }
        var fileSystem = statvfs()
        XCTAssertEqual(statvfs(path, &fileSystem), 0)
        let flags = UInt(fileSystem.f_flag)
        // statvfs(3)'s ST_RDONLY, ST_NOSUID, ST_NODEV and ST_NOEXEC (Glibc exports only the first two).
        for (flag, name): (UInt, String) in [(1, "ro"), (2, "nosuid"), (4, "nodev"), (8, "noexec")] {
            XCTAssertNotEqual(flags & flag, 0, "the mount at the target is not \(name)")
        }
        let conf = try String(contentsOfFile: path + "/krb5.conf", encoding: .utf8)
        XCTAssertTrue(conf.contains("default_ccache_name = FILE:/var/run/ccgd/krb5cc"), conf)
        let held1 = try await containers(daemon)
        XCTAssertEqual(held1, ["csi:\(pod.uid)/\(published["volume_id"] as? String ?? "")"])

        // The pod's container: the target bind-mounted as the runtime does, uid 1000 with the fsGroup as a supplementary group.
        let dnsDomain = daemon.domain.dnsDomain, realm = daemon.domain.realm
        let inPod = try sandbox.podman([
            "run", "--rm", "--network", "host", "--user", "1000:1000", "--group-add", "2000", "-v", path + ":/var/run/ccgd:ro",
            "-e", "KRB5_CONFIG=/var/run/ccgd/krb5.conf", PodmanSandbox.image, "/bin/sh", "-c",
            """
            echo "== id"; id -u
            echo "== klist"; klist
            echo "== kvno"; kvno host/webapp01.\(dnsDomain)
            """,
        ])
        print("== the pod's container\n" + inPod.all)
        XCTAssertEqual(inPod.status, 0, inPod.all)
        let sections = PodmanIntegrationTests.sections(inPod.output)
        XCTAssertEqual(sections["id"]?.trimmingCharacters(in: .whitespacesAndNewlines), "1000")
        XCTAssertTrue(sections["klist", default: ""].contains("Default principal: WebApp01$@\(realm)"), inPod.all)
        XCTAssertTrue(sections["klist", default: ""].contains("krbtgt/\(realm)@\(realm)"), inPod.all)
        XCTAssertTrue(sections["kvno", default: ""].contains("host/webapp01.\(dnsDomain)@\(realm): kvno = "), inPod.all)

        // Another user, without the pod's fsGroup, reads nothing.
        let outsider = try sandbox.podman([
            "run", "--rm", "--user", "1000:1000", "-v", path + ":/var/run/ccgd:ro", PodmanSandbox.image, "/bin/sh", "-c",
            "cat /var/run/ccgd/krb5cc >/dev/null && echo read || echo refused",
        ])
        XCTAssertEqual(outsider.output.trimmingCharacters(in: .whitespacesAndNewlines), "refused", outsider.all)

        // The kubelet retries a publish (its deadline, its restart): the same answer, no second lease.
        let again = try publish(pod)
        XCTAssertEqual(again["code"] as? String, "OK", "\(again)")
        let held2 = try await containers(daemon).count
        XCTAssertEqual(held2, 1)
        // A second pod of the same gMSA: its account is cached (a warm publish).
        var second = Pod()
        second.name = "webapp-1"
        let warm = try publish(second)
        XCTAssertEqual(warm["code"] as? String, "OK", "\(warm)")
        print(
            "NodePublishVolume as the stand-in timed it: cold \(published["milliseconds"] ?? 0) ms, warm \(warm["milliseconds"] ?? 0) ms, retried \(again["milliseconds"] ?? 0) ms"
        )
        XCTAssertEqual(try unpublish(second)["code"] as? String, "OK")

        let unpublished = try unpublish(pod)
        XCTAssertEqual(unpublished["code"] as? String, "OK", "\(unpublished)")
        XCTAssertFalse(FileManager.default.fileExists(atPath: path), "the target is left behind")
        let held3 = try await containers(daemon)
        XCTAssertEqual(held3, [])
        XCTAssertEqual(try unpublish(pod)["code"] as? String, "OK", "a second unpublish")
    }

    // MARK: - Refusals

    /// Each refusal has the CSI code the specification gives it and one sentence naming the
    /// pod, the CredSpec and the cause; none leaves a lease or a mount.
    func testRefusalsNameThePodTheCredSpecAndTheCause() async throws {
        let daemon = try started()
        var cases: [(Pod, String, [String])] = []
        var denied = Pod()
        denied.serviceAccount = "default"
        cases.append((denied, "PERMISSION_DENIED", ["web/default", "WebApp01", "kubernetes-service-accounts"]))
        var otherNamespace = Pod()
        otherNamespace.namespace = "web-staging"
        cases.append((otherNamespace, "PERMISSION_DENIED", ["web-staging/webapp", "WebApp01"]))
        var unknownSpec = Pod()
        unknownSpec.namespace = "shop"
        unknownSpec.attributes = ["credentialSpec": "NoSuchSpec"]
        cases.append((unknownSpec, "PERMISSION_DENIED", ["NoSuchSpec"]))
        var unknownAttribute = Pod()
        unknownAttribute.attributes["keytabOnly"] = "true"
        cases.append((unknownAttribute, "INVALID_ARGUMENT", ["keytabOnly", "web/webapp-0"]))
        var writable = Pod()
        writable.readOnly = false
        cases.append((writable, "INVALID_ARGUMENT", ["readOnly: true"]))
        var withoutPodInfo = Pod()
        withoutPodInfo.podInfo = false
        cases.append((withoutPodInfo, "INVALID_ARGUMENT", ["podInfoOnMount"]))
        var persistent = Pod()
        persistent.ephemeral = false
        cases.append((persistent, "INVALID_ARGUMENT", ["ephemeral"]))
        var path = Pod()
        path.attributes["credentialSpec"] = "../WebApp01"
        cases.append((path, "INVALID_ARGUMENT", ["../WebApp01"]))
        for (pod, code, words) in cases {
            let answer = try publish(pod)
            let details = answer["details"] as? String ?? ""
            print(code, details)
            XCTAssertEqual(answer["code"] as? String, code, "\(pod): \(answer)")
            for word in words { XCTAssertTrue(details.contains(word), "\"\(word)\" is not in: \(details)") }
            XCTAssertFalse(TargetMountProbe.isMountPoint(target(pod)), "a refused publish left a mount")
        }
        let held4 = try await containers(daemon)
        XCTAssertEqual(held4, [])
        XCTAssertTrue(daemon.logText.contains("CSI volume refused: the service account may not use the CredSpec"), daemon.logText.suffix(3000).description)

        // A CredSpec granted to the namespace but missing from the directory: NOT_FOUND, named.
        var missing = Pod()
        missing.namespace = "shop"
        missing.serviceAccount = "checkout"
        missing.attributes = ["credentialSpec": "WebApp02"]
        try FileManager.default.removeItem(atPath: daemon.credSpecs + "/WebApp02.json")
        let notFound = try publish(missing)
        XCTAssertEqual(notFound["code"] as? String, "NOT_FOUND", "\(notFound)")
        XCTAssertTrue((notFound["details"] as? String ?? "").contains("WebApp02"), "\(notFound)")
        XCTAssertTrue((notFound["details"] as? String ?? "").contains("shop/webapp-0"), "\(notFound)")
        let held5 = try await containers(daemon)
        XCTAssertEqual(held5, [])
    }

    /// The DC unreachable: UNAVAILABLE, naming the pod and CredSpec and the DC, and no lease.
    func testAnUnreachableDomainControllerIsUnavailableNamedInTheMessage() async throws {
        let daemon = try started(controllerAddress: "127.0.0.2")
        let answer = try publish(Pod())
        let details = answer["details"] as? String ?? ""
        print(answer)
        XCTAssertEqual(answer["code"] as? String, "UNAVAILABLE", "\(answer)")
        XCTAssertTrue(details.contains("pod web/webapp-0, CredSpec WebApp01"), details)
        XCTAssertTrue(details.contains("127.0.0.2"), details)
        let held6 = try await containers(daemon)
        XCTAssertEqual(held6, [])
    }

    // MARK: - Restarts and many pods

    /// ccgd stops and starts between publish and unpublish: the mount stays and serves its files
    /// meanwhile, the lease is restored (its files rewritten in place, seen through the mount),
    /// a retried publish finds it, and unpublish removes both.
    func testARestartBetweenPublishAndUnpublishLosesNothing() async throws {
        let daemon = try started()
        let pod = Pod()
        XCTAssertEqual(try publish(pod)["code"] as? String, "OK")
        let before = try await containers(daemon)
        XCTAssertEqual(before.count, 1)
        XCTAssertEqual(daemon.stop(), 0)
        XCTAssertTrue(TargetMountProbe.isMountPoint(target(pod)))
        XCTAssertTrue(FileManager.default.isReadableFile(atPath: target(pod) + "/krb5cc"))
        try daemon.start()
        try waitForSockets()
        let held7 = try await containers(daemon)
        XCTAssertEqual(held7, before)
        XCTAssertTrue(TargetMountProbe.isMountPoint(target(pod)))
        XCTAssertEqual(try publish(pod)["code"] as? String, "OK")
        let held8 = try await containers(daemon)
        XCTAssertEqual(held8, before)
        XCTAssertEqual(try unpublish(pod)["code"] as? String, "OK")
        XCTAssertFalse(FileManager.default.fileExists(atPath: target(pod)))
        let held9 = try await containers(daemon)
        XCTAssertEqual(held9, [])
    }

    /// 50 pods of two gMSAs published at once: every one OK, and the DC asked once per gMSA.
    func testFiftyPodsAtOnceFetchEachGMSAOnce() async throws {
        let daemon = try started()
        let pods = (0..<50).map { index -> Pod in
            var pod = Pod()
            pod.name = "pod-\(index)"
            if index % 2 == 1 {
                pod.namespace = "shop"
                pod.serviceAccount = "checkout-\(index)"
                pod.attributes = ["credentialSpec": "WebApp02"]
            }
            return pod
        }
        let fetchesBefore = try await daemon.metric(#"ccgd_account_fetches_total{result="ok"}"#) ?? 0
        let answers = try XCTUnwrap(try kubeletCall(["publish-many", csiSocket, kubelet, json(pods)]) as? [[String: Any]])
        XCTAssertEqual(answers.count, 50)
        XCTAssertEqual(answers.filter { $0["code"] as? String == "OK" }.count, 50, "\(answers.filter { $0["code"] as? String != "OK" }.prefix(3))")
        let fetches = (try await daemon.metric(#"ccgd_account_fetches_total{result="ok"}"#) ?? 0) - fetchesBefore
        XCTAssertEqual(fetches, 2, "the DC was asked \(fetches) times for 2 gMSAs")
        let held10 = try await containers(daemon).count
        XCTAssertEqual(held10, 50)
        for pod in pods { XCTAssertEqual(try unpublish(pod)["code"] as? String, "OK") }
        let held11 = try await containers(daemon)
        XCTAssertEqual(held11, [])
    }

    /// Leases end when their pod's right or their pod is gone: a reload that takes the service
    /// account's grant away ends its lease (the mount stays until the kubelet unpublishes, and
    /// shows nothing); a pod whose directory the kubelet removed without an unpublish (a node
    /// that rebooted) has its lease ended by the sweep at start.
    func testARevokedGrantOrAPodGoneFromTheNodeEndsTheLease() async throws {
        let daemon = try started()
        let (kept, revoked, gone) = (
            Pod(),
            { () -> Pod in
                var pod = Pod()
                pod.namespace = "shop"
                pod.serviceAccount = "checkout"
                pod.attributes = ["credentialSpec": "WebApp02"]
                return pod
            }(), Pod()
        )
        for pod in [kept, revoked, gone] { XCTAssertEqual(try publish(pod)["code"] as? String, "OK") }
        let text = try String(contentsOfFile: daemon.configuration, encoding: .utf8)
        try text.replacingOccurrences(of: "kubernetes-service-accounts = shop/*", with: "kubernetes-service-accounts = shop/cart")
            .write(toFile: daemon.configuration, atomically: true, encoding: .utf8)
        kill(try XCTUnwrap(daemon.pid), SIGHUP)
        for _ in 0..<200 where !daemon.logText.contains("configuration reloaded") { usleep(50_000) }
        XCTAssertTrue(daemon.logText.contains("no longer in kubernetes-service-accounts"), daemon.logText.suffix(4000).description)
        let afterReload = try await containers(daemon)
        XCTAssertEqual(afterReload.count, 2)
        XCTAssertFalse(afterReload.contains { $0.hasPrefix("csi:\(revoked.uid)/") })
        XCTAssertFalse(FileManager.default.fileExists(atPath: target(revoked) + "/krb5cc"), "a revoked lease's files are still readable")
        XCTAssertEqual(try unpublish(revoked)["code"] as? String, "OK", "unpublish of a revoked lease's volume")

        // The node "reboots": the mount is gone with it, and the kubelet removed the pod's directory.
        XCTAssertEqual(daemon.stop(), 0)
        XCTAssertEqual(umount2(target(gone), Int32(MNT_DETACH)), 0)
        try FileManager.default.removeItem(atPath: "\(kubelet)/pods/\(gone.uid)")
        try daemon.start()
        try waitForSockets()
        for _ in 0..<100 where !daemon.logText.contains("CSI leases of pods gone from this node ended") { usleep(50_000) }
        let afterStart = try await containers(daemon)
        XCTAssertEqual(afterStart.count, 1, daemon.logText.suffix(4000).description)
        XCTAssertTrue(afterStart.allSatisfy { $0.hasPrefix("csi:\(kept.uid)/") }, "\(afterStart)")
        XCTAssertEqual(try unpublish(kept)["code"] as? String, "OK")
    }

    // MARK: - Helpers

    /// Unmounts every mount under `directory` (deepest first): a failed test must not leave
    /// the lease directories mounted under the temporary directory.
    static func unmountAll(under directory: String) {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return }
        let points = text.split(separator: "\n").compactMap { line -> String? in
            let fields = line.split(separator: " ")
            guard fields.count > 4 else { return nil }
            return String(fields[4]).replacingOccurrences(of: "\\040", with: " ")
        }.filter { $0.hasPrefix(directory + "/") }
        for point in points.sorted(by: { $0.count > $1.count }) { umount2(point, Int32(MNT_DETACH)) }
    }
}

/// Whether a path is a mount point, from the mount table (the test's view, independent of ccgd's code).
enum TargetMountProbe {
    static func isMountPoint(_ path: String) -> Bool {
        guard let text = try? String(contentsOfFile: "/proc/self/mountinfo", encoding: .utf8) else { return false }
        return text.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            return fields.count > 4 && fields[4].replacingOccurrences(of: "\\040", with: " ") == path
        }
    }
}
