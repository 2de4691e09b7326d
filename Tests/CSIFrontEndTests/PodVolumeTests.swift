import CSIWire
import Configuration
import GRPCUnaryServer
import LeaseService
import ProtobufWire
import XCTest

@testable import CSIFrontEnd

/// What a NodePublishVolume request must be for ccgd to serve it, and what each refusal says.
final class PodVolumeTests: XCTestCase {
    static let kubelet = "/var/lib/kubelet"
    static let podUID = "6f8f5cd4-0d3e-4a43-9a52-0b3a4e1f2c11"

    /// As the kubelet sends it for an ephemeral inline volume of a pod with fsGroup 2000.
    static func request(fsGroup: String = "2000", attributes: [String: String] = ["credentialSpec": "WebApp01"]) -> NodePublishVolumeRequest {
        var request = NodePublishVolumeRequest()
        request.volumeID = "csi-0123abcd"
        request.targetPath = "\(kubelet)/pods/\(podUID)/volumes/kubernetes.io~csi/gmsa/mount"
        request.readonly = true
        request.volumeCapability = VolumeCapability(
            accessType: .mount(MountVolume(volumeMountGroup: fsGroup)), accessMode: AccessMode(mode: .singleNodeWriter))
        request.volumeContext = attributes.merging([
            "csi.storage.k8s.io/pod.name": "webapp-7d9f8", "csi.storage.k8s.io/pod.namespace": "web",
            "csi.storage.k8s.io/pod.uid": podUID, "csi.storage.k8s.io/serviceAccount.name": "webapp",
            "csi.storage.k8s.io/ephemeral": "true",
        ]) { $1 }
        return request
    }

    func volume(_ request: NodePublishVolumeRequest) throws -> PodVolume {
        try PodVolume(request, kubeletDirectory: Self.kubelet)
    }

    func refusal(_ request: NodePublishVolumeRequest, file: StaticString = #filePath, line: UInt = #line) -> RPCStatus? {
        do {
            _ = try volume(request)
            XCTFail("accepted", file: file, line: line)
            return nil
        } catch { return error as? RPCStatus }
    }

    func testAKubeletsRequestIsReadAsThePodsVolume() throws {
        let volume = try volume(Self.request())
        XCTAssertEqual(volume.pod, PodIdentity(namespace: "web", name: "webapp-7d9f8", uid: Self.podUID, serviceAccount: "webapp"))
        XCTAssertEqual(volume.pod.serviceAccountName, "web/webapp")
        XCTAssertEqual(volume.credentialSpecName, "WebApp01")
        XCTAssertEqual(volume.mountPath, "/var/run/ccgd")
        XCTAssertEqual(volume.owner, LeaseOwner(uid: 0, gid: 2000))
        XCTAssertEqual(volume.fileAccess, .group)
        XCTAssertEqual(volume.containerID, "csi:\(Self.podUID)/csi-0123abcd")
        XCTAssertEqual(volume.target.podDirectory, "\(Self.kubelet)/pods/\(Self.podUID)")
    }

    func testOwnersFromFsGroupAndAttributes() throws {
        // Neither: root's files alone.
        var plain = try volume(Self.request(fsGroup: ""))
        XCTAssertEqual(plain.owner, LeaseOwner(uid: 0, gid: 0))
        XCTAssertEqual(plain.fileAccess, .owner)
        plain = try volume(Self.request(fsGroup: "", attributes: ["credentialSpec": "WebApp01.json", "uid": "1000"]))
        XCTAssertEqual(plain.owner, LeaseOwner(uid: 1000, gid: 0))
        XCTAssertEqual(plain.fileAccess, .owner)
        XCTAssertEqual(plain.credentialSpecName, "WebApp01")
        let both = try volume(Self.request(attributes: ["credentialSpec": "WebApp01", "uid": "1000", "gid": "2000", "mountPath": "/run/krb/"]))
        XCTAssertEqual(both.owner, LeaseOwner(uid: 1000, gid: 2000))
        XCTAssertEqual(both.fileAccess, .group)
        XCTAssertEqual(both.mountPath, "/run/krb")
        XCTAssertEqual(refusal(Self.request(attributes: ["credentialSpec": "WebApp01", "gid": "3000"]))?.code, .invalidArgument)
        XCTAssertEqual(refusal(Self.request(attributes: ["credentialSpec": "WebApp01", "uid": "-1"]))?.code, .invalidArgument)
    }

    func testEveryRefusalIsInvalidArgumentNamingThePodAndTheCause() {
        var cases: [(NodePublishVolumeRequest, String)] = []
        cases.append((Self.request(attributes: ["credentialSpec": "WebApp01", "keytabOnly": "yes"]), "unknown volume attribute keytabOnly"))
        cases.append((Self.request(attributes: [:]), "names no CredSpec"))
        cases.append((Self.request(attributes: ["credentialSpec": "../etc/WebApp01"]), "is not a CredSpec's file name"))
        cases.append((Self.request(attributes: ["credentialSpec": ".hidden"]), "is not a CredSpec's file name"))
        cases.append((Self.request(attributes: ["credentialSpec": "WebApp01", "mountPath": "var/run"]), "not an absolute path"))
        cases.append((Self.request(attributes: ["credentialSpec": "WebApp01", "mountPath": "/var/../etc"]), "not an absolute path"))
        var writable = Self.request()
        writable.readonly = false
        cases.append((writable, "readOnly: true"))
        var persistent = Self.request()
        persistent.volumeContext["csi.storage.k8s.io/ephemeral"] = "false"
        cases.append((persistent, "only ephemeral inline volumes"))
        var block = Self.request()
        block.volumeCapability = VolumeCapability(accessType: .block, accessMode: nil)
        cases.append((block, "not a block device"))
        var flags = Self.request()
        flags.volumeCapability = VolumeCapability(accessType: .mount(MountVolume(mountFlags: ["exec"])), accessMode: nil)
        cases.append((flags, "no mount options"))
        var otherPod = Self.request()
        otherPod.targetPath = "\(Self.kubelet)/pods/0000/volumes/kubernetes.io~csi/gmsa/mount"
        cases.append((otherPod, "is not a directory of pod uid"))
        for path in [
            "/etc/mount", "\(Self.kubelet)/pods/\(Self.podUID)/volumes/kubernetes.io~csi/../mount",
            "\(Self.kubelet)/pods/\(Self.podUID)/volumes/kubernetes.io~secret/gmsa/mount",
            "\(Self.kubelet)/pods/\(Self.podUID)/volumes/kubernetes.io~csi/gmsa/mount/x",
        ] {
            var outside = Self.request()
            outside.targetPath = path
            cases.append((outside, "is not a kubelet volume path"))
        }
        for (request, words) in cases {
            let status = refusal(request)
            XCTAssertEqual(status?.code, .invalidArgument, words)
            XCTAssertTrue(status?.message.contains(words) ?? false, "\"\(words)\" is not in \(status?.message ?? "nil")")
            if !words.contains("kubelet volume path") {
                XCTAssertTrue(status?.message.contains("pod web/webapp-7d9f8") ?? false, status?.message ?? "")
            }
        }
    }

    func testWithoutPodInformationThereIsNothingToAuthorize() {
        var request = Self.request()
        request.volumeContext["csi.storage.k8s.io/serviceAccount.name"] = nil
        let status = refusal(request)
        XCTAssertEqual(status?.code, .invalidArgument)
        XCTAssertTrue(status?.message.contains("podInfoOnMount: true") ?? false, status?.message ?? "")
    }

    func testSecretsAreRefusedWithoutBeingShown() throws {
        // A secrets map entry (field 7) as the kubelet writes one for nodePublishSecretRef, merged into the request.
        var writer = ProtobufWriter()
        writer.write(7) { entry in
            entry.write(1, string: "password")
            entry.write(2, string: "hunter2-secret")
        }
        var request = Self.request()
        var reader = ProtobufReader(writer.bytes)
        try request.merge(from: &reader)
        let status = refusal(request)
        XCTAssertEqual(status?.code, .invalidArgument)
        XCTAssertFalse(status?.message.contains("hunter2-secret") ?? true)
    }

    func testServiceAccountGrantsAndTheirRevocation() throws {
        let configuration = try ServiceConfiguration(
            text: """
                [csi]
                [credspec "WebApp01"]
                kubernetes-service-accounts = web/webapp, shop/*
                [credspec "WebApp02"]
                allowed-uids = 1000
                """, file: "test.conf")
        let policy = PeerPolicy(allowedUIDs: [0], allowedGIDs: [], credSpecs: configuration.credSpecAccess)
        let pod = { (namespace: String, account: String) in PodIdentity(namespace: namespace, name: "p", uid: "u", serviceAccount: account) }
        XCTAssertTrue(CSINodeService.grants(policy, "WebApp01", to: pod("web", "webapp")))
        XCTAssertTrue(CSINodeService.grants(policy, "WebApp01.json", to: pod("shop", "anyone")))
        XCTAssertFalse(CSINodeService.grants(policy, "WebApp01", to: pod("web", "default")))
        XCTAssertFalse(CSINodeService.grants(policy, "WebApp01", to: pod("webx", "webapp")))
        XCTAssertFalse(CSINodeService.grants(policy, "WebApp02", to: pod("web", "webapp")), "a section without the key grants no pod")
        XCTAssertFalse(CSINodeService.grants(policy, "Other", to: pod("web", "webapp")), "default deny")
        // The section grants pods only: it says nothing of the socket's peers.
        XCTAssertFalse(configuration.credSpecAccess[0].restrictsUse)
        XCTAssertTrue(configuration.csi.enabled)
        XCTAssertEqual(configuration.csi.socketPath, "/var/lib/kubelet/plugins/gmsa.csi.ccgd/csi.sock")
        XCTAssertEqual(configuration.csi.registrationSocketPath, "/var/lib/kubelet/plugins_registry/gmsa.csi.ccgd-reg.sock")
    }

    func testTheConfigurationNamesBadGrantsAndDriverNames() {
        XCTAssertThrowsError(
            try ServiceConfiguration(
                text: """
                    [csi]
                    driver-name = -bad-
                    registration-directory = relative
                    [credspec "WebApp01"]
                    kubernetes-service-accounts = Web/webapp, web, web/a/b, */x
                    """, file: "test.conf")
        ) { error in
            let text = "\(error)"
            for words in [
                "\"-bad-\" is not a CSI driver name", "\"relative\" is not an absolute path", "\"Web/webapp\" is not NAMESPACE/SERVICE-ACCOUNT",
                "\"web\" is not", "\"web/a/b\" is not", "\"*/x\" is not",
            ] {
                XCTAssertTrue(text.contains(words), "\(words) is not in \(text)")
            }
        }
        let none = try? ServiceConfiguration(text: "[csi]\nregistration-directory = none\nsocket = /run/csi.sock", file: "test.conf")
        XCTAssertNil(none?.csi.registrationSocketPath)
        XCTAssertEqual(none?.csi.socketPath, "/run/csi.sock")
    }
}
