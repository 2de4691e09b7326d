import CSIWire
import Foundation
import ProtobufWire
import SecretMemory
import TestSupport
import XCTest

/// CSIWire against an implementation that is not ours: Python's protobuf, with classes grpcio-tools
/// generates at test time from the .proto files in Sources/CSIWire (Python/csi_messages.py).
/// Python writes the requests exactly as a kubelet sends them and Swift reads them field by field;
/// Swift writes the responses and Python reads them, and writes the same bytes again.
final class CSIPythonInteropTests: XCTestCase {
    private static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path
    private static let script = repository + "/Tests/CSIWireTests/Python/csi_messages.py"
    private static let protoDirectory = repository + "/Sources/CSIWire"
    private static let podUID = "6f8f5cd4-0d3e-4a43-9a52-0b3a4e1f2c11"

    /// The checkout's .venv-tests Python (scripts/test makes it), else the python3 on PATH, if
    /// it has grpcio-tools and protobuf; or a reason to skip.
    private static func python() throws -> [String] {
        let venv = repository + "/.venv-tests/bin/python3"
        let command = FileManager.default.isExecutableFile(atPath: venv) ? [venv] : ["/usr/bin/env", "python3"]
        guard (try? run(command + ["-c", "import grpc_tools.protoc, google.protobuf.json_format"]))?.status == 0 else {
            throw missingRequirement(
                "neither the checkout's .venv-tests nor the python3 on PATH has grpcio-tools; scripts/test installs it in .venv-tests"
            )
        }
        return command
    }

    private static func run(_ command: [String]) throws -> (status: Int32, output: String, error: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        let output = Pipe()
        let error = Pipe()
        process.standardOutput = output
        process.standardError = error
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = error.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outputData, as: UTF8.self), String(decoding: errorData, as: UTF8.self))
    }

    private func requests() throws -> String {
        let python = try Self.python()
        let directory = try temporaryDirectory("csi-requests")
        let result = try Self.run(python + [Self.script, Self.protoDirectory, "requests", directory])
        XCTAssertEqual(result.status, 0, result.error)
        return directory
    }

    private func message(_ directory: String, _ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: directory + "/" + name + ".bin")))
    }

    /// What a kubelet sends for an ephemeral inline volume of a pod with an fsGroup, when the
    /// CSIDriver has podInfoOnMount and the plug-in VOLUME_MOUNT_GROUP: every field as sent.
    func testTheKubeletsNodePublishVolumeRequestIsReadFieldForField() throws {
        let directory = try requests()
        let request = try NodePublishVolumeRequest(decoding: try message(directory, "NodePublishVolumeRequest"))
        XCTAssertEqual(request.volumeID, "csi-" + "6a2b3801ab31049a59429d933f2e006b2c1291ed50badaf04803a0c1ab1d787b")
        XCTAssertEqual(request.targetPath, "/var/lib/kubelet/pods/\(Self.podUID)/volumes/kubernetes.io~csi/gmsa/mount")
        XCTAssertTrue(request.readonly)
        XCTAssertEqual(request.stagingTargetPath, "")
        XCTAssertEqual(request.publishContext, [:])
        XCTAssertTrue(request.secrets.isEmpty)
        XCTAssertEqual(
            request.volumeCapability,
            VolumeCapability(accessType: .mount(MountVolume(volumeMountGroup: "2000")), accessMode: AccessMode(mode: .singleNodeWriter)))
        XCTAssertEqual(
            request.volumeContext,
            [
                "credentialSpec": "WebApp01",
                "csi.storage.k8s.io/pod.name": "webapp-7d9f8",
                "csi.storage.k8s.io/pod.namespace": "web",
                "csi.storage.k8s.io/pod.uid": Self.podUID,
                "csi.storage.k8s.io/serviceAccount.name": "webapp",
                "csi.storage.k8s.io/ephemeral": "true",
            ])
    }

    /// The fields a kubelet leaves empty for an inline volume, as Python writes them, and a block
    /// volume; secrets read into wiped storage.
    func testEveryOtherRequestFieldIsReadAsPythonWroteIt() throws {
        let directory = try requests()
        let full = try NodePublishVolumeRequest(decoding: try message(directory, "NodePublishVolumeRequest-secrets"))
        XCTAssertEqual(full.publishContext, ["attached": "yes"])
        XCTAssertEqual(full.stagingTargetPath, "/var/lib/kubelet/plugins/staging")
        XCTAssertEqual(full.volumeCapability?.accessType, .mount(MountVolume(fsType: "ext4", mountFlags: ["ro", "", "noatime"], volumeMountGroup: "2000")))
        XCTAssertEqual(full.secrets.names, ["password", "username"])
        XCTAssertEqual(full.secrets["password"], SecretBytes(Array("pässword".utf8)))
        XCTAssertEqual(full.secrets["username"], SecretBytes(Array("StandardUser01".utf8)))
        let block = try NodePublishVolumeRequest(decoding: try message(directory, "NodePublishVolumeRequest-block"))
        XCTAssertEqual(block.volumeCapability?.accessType, .block)
        XCTAssertEqual(block.volumeCapability?.accessMode, AccessMode(mode: .singleNodeWriter))
        let unpublish = try NodeUnpublishVolumeRequest(decoding: try message(directory, "NodeUnpublishVolumeRequest"))
        XCTAssertEqual(unpublish.volumeID, "csi-6a2b3801ab31049a59429d933f2e006b2c1291ed50badaf04803a0c1ab1d787b")
        XCTAssertEqual(unpublish.targetPath, "/var/lib/kubelet/pods/\(Self.podUID)/volumes/kubernetes.io~csi/gmsa/mount")
        XCTAssertEqual(try RegistrationStatus(decoding: try message(directory, "RegistrationStatus")), RegistrationStatus(pluginRegistered: true))
        XCTAssertEqual(
            try RegistrationStatus(decoding: try message(directory, "RegistrationStatus-error")),
            RegistrationStatus(pluginRegistered: false, error: "plugin name already taken"))
        XCTAssertNoThrow(try GetPluginInfoRequest(decoding: try message(directory, "GetPluginInfoRequest")))
        XCTAssertNoThrow(try InfoRequest(decoding: try message(directory, "InfoRequest")))
    }

    /// Every response as ccgd writes it, read by Python field for field (its JSON form), with no
    /// field Python does not know, and the same bytes when Python writes it deterministically.
    func testEveryResponseIsReadByPythonAsWritten() throws {
        let python = try Self.python()
        let directory = try temporaryDirectory("csi-responses")
        let driver = "gmsa.ccgd.io"
        let responses: [(String, any CSIResponse, [String: Any])] = [
            (
                "GetPluginInfoResponse", GetPluginInfoResponse(name: driver, vendorVersion: "0.9.0", manifest: ["commit": "abc", "empty": ""]),
                ["name": driver, "vendor_version": "0.9.0", "manifest": ["commit": "abc", "empty": ""]]
            ),
            (
                "GetPluginCapabilitiesResponse",
                GetPluginCapabilitiesResponse(capabilities: [.service(.controllerService), .volumeExpansion(.online), .service(.unknown)]),
                ["capabilities": [["service": ["type": "CONTROLLER_SERVICE"]], ["volume_expansion": ["type": "ONLINE"]], ["service": [String: Any]()]]]
            ),
            ("GetPluginCapabilitiesResponse-none", GetPluginCapabilitiesResponse(), [:]),
            ("ProbeResponse-ready", ProbeResponse(ready: true), ["ready": true]),
            ("ProbeResponse-notready", ProbeResponse(ready: false), ["ready": false]),
            ("ProbeResponse-unset", ProbeResponse(ready: nil), [:]),
            ("NodeGetInfoResponse", NodeGetInfoResponse(nodeID: "node-1"), ["node_id": "node-1"]),
            (
                "NodeGetInfoResponse-topology",
                NodeGetInfoResponse(nodeID: "node-1", maxVolumesPerNode: 16, accessibleTopology: ["topology.kubernetes.io/zone": "a"]),
                ["node_id": "node-1", "max_volumes_per_node": "16", "accessible_topology": ["segments": ["topology.kubernetes.io/zone": "a"]]]
            ),
            (
                "NodeGetCapabilitiesResponse", NodeGetCapabilitiesResponse(capabilities: [.rpc(.volumeMountGroup)]),
                ["capabilities": [["rpc": ["type": "VOLUME_MOUNT_GROUP"]]]]
            ),
            ("NodePublishVolumeResponse", NodePublishVolumeResponse(), [:]),
            ("NodeUnpublishVolumeResponse", NodeUnpublishVolumeResponse(), [:]),
            (
                "PluginInfo",
                PluginInfo(name: driver, endpoint: "/var/lib/kubelet/plugins/gmsa.ccgd.io/csi.sock", supportedVersions: ["1.0.0"]),
                [
                    "type": "CSIPlugin", "name": driver, "endpoint": "/var/lib/kubelet/plugins/gmsa.ccgd.io/csi.sock",
                    "supported_versions": ["1.0.0"],
                ]
            ),
            ("RegistrationStatusResponse", RegistrationStatusResponse(), [:]),
        ]
        for (name, response, _) in responses {
            try Data(response.encoded()).write(to: URL(fileURLWithPath: directory + "/" + name + ".bin"))
        }
        let result = try Self.run(python + [Self.script, Self.protoDirectory, "responses", directory])
        XCTAssertEqual(result.status, 0, result.error)
        let answers = try XCTUnwrap(try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: [String: Any]], result.output)
        XCTAssertEqual(Set(answers.keys), Set(responses.map(\.0)))
        for (name, _, expected) in responses {
            let answer = try XCTUnwrap(answers[name], name)
            XCTAssertEqual(try Self.canonical(answer["fields"] ?? [String: Any]()), try Self.canonical(expected), name)
            XCTAssertEqual(answer["unknown"] as? Int, 0, "\(name): fields Python does not know")
            XCTAssertEqual(answer["same_bytes"] as? Bool, true, "\(name): Python writes other bytes")
        }
        XCTAssertEqual(answers["ProbeResponse-notready"]?["has_ready"] as? Bool, true, "ready = false must be present")
        XCTAssertEqual(answers["ProbeResponse-unset"]?["has_ready"] as? Bool, false)
        XCTAssertEqual(answers["NodeGetInfoResponse"]?["has_topology"] as? Bool, false)
        XCTAssertEqual(answers["NodeGetInfoResponse-topology"]?["has_topology"] as? Bool, true)
    }

    /// JSON text with sorted keys, so that two values compare by their contents.
    private static func canonical(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }
}
