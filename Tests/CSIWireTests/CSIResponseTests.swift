import CSIWire
import XCTest

/// The responses' exact bytes, worked out by hand from csi.proto's field numbers (the Python tests
/// read them with another implementation).
final class CSIResponseTests: XCTestCase {
    func testNodeGetCapabilitiesSaysVolumeMountGroup() {
        // capabilities (1) { rpc (1) { type (1) = 6 } }
        XCTAssertEqual(NodeGetCapabilitiesResponse(capabilities: [.rpc(.volumeMountGroup)]).encoded(), [0x0A, 0x04, 0x0A, 0x02, 0x08, 0x06])
        XCTAssertEqual(NodeGetCapabilitiesResponse().encoded(), [])
    }

    /// `ready` is a BoolValue: present and empty says false, absent says nothing.
    func testProbeReadyIsAWrappedBool() {
        XCTAssertEqual(ProbeResponse(ready: true).encoded(), [0x0A, 0x02, 0x08, 0x01])
        XCTAssertEqual(ProbeResponse(ready: false).encoded(), [0x0A, 0x00])
        XCTAssertEqual(ProbeResponse(ready: nil).encoded(), [])
    }

    func testPluginCapabilitiesAreOneofMembers() {
        XCTAssertEqual(
            GetPluginCapabilitiesResponse(capabilities: [.service(.controllerService), .volumeExpansion(.online)]).encoded(),
            [0x0A, 0x04, 0x0A, 0x02, 0x08, 0x01, 0x0A, 0x04, 0x12, 0x02, 0x08, 0x01])
        // UNKNOWN (0) is the default: the member is there, its type left out.
        XCTAssertEqual(GetPluginCapabilitiesResponse(capabilities: [.service(.unknown)]).encoded(), [0x0A, 0x02, 0x0A, 0x00])
    }

    func testPluginInfoAndNodeInfo() {
        let info = PluginInfo(name: "d", endpoint: "/s", supportedVersions: ["1.0.0"])
        XCTAssertEqual(info.type, "CSIPlugin")
        XCTAssertEqual(
            info.encoded(),
            [0x0A, 9] + Array("CSIPlugin".utf8) + [0x12, 1, 0x64, 0x1A, 2, 0x2F, 0x73, 0x22, 5] + Array("1.0.0".utf8))
        XCTAssertEqual(NodeGetInfoResponse(nodeID: "n").encoded(), [0x0A, 1, 0x6E])
        XCTAssertEqual(NodeGetInfoResponse(nodeID: "n", maxVolumesPerNode: 2, accessibleTopology: [:]).encoded(), [0x0A, 1, 0x6E, 0x10, 2, 0x1A, 0])
    }

    func testEmptyResponsesAreEmptyMessages() {
        XCTAssertEqual(NodePublishVolumeResponse().encoded(), [])
        XCTAssertEqual(NodeUnpublishVolumeResponse().encoded(), [])
        XCTAssertEqual(RegistrationStatusResponse().encoded(), [])
    }

    /// The names the front end routes by, as gRPC spells the paths.
    func testServiceAndMethodNames() {
        XCTAssertEqual("/\(CSIService.node)/\(CSIService.NodeMethod.nodePublishVolume.rawValue)", "/csi.v1.Node/NodePublishVolume")
        XCTAssertEqual("/\(CSIService.identity)/\(CSIService.IdentityMethod.probe.rawValue)", "/csi.v1.Identity/Probe")
        XCTAssertEqual("/\(CSIService.registration)/\(CSIService.RegistrationMethod.getInfo.rawValue)", "/pluginregistration.Registration/GetInfo")
    }
}
