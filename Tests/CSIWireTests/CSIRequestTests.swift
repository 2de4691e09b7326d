import CSIWire
import ProtobufWire
import SecretMemory
import XCTest

/// The CSI and registration requests read from bytes written here field by field (the Python
/// tests read what another implementation wrote): every field, proto3's merging rules, unknown
/// fields, faults named by their field path, and secrets that never show.
final class CSIRequestTests: XCTestCase {
    private func written(_ body: (inout ProtobufWriter) -> Void) -> [UInt8] {
        var writer = ProtobufWriter()
        body(&writer)
        return writer.bytes
    }

    func testEveryFieldOfNodePublishVolumeRequestIsRead() throws {
        let bytes = written {
            $0.write(1, string: "csi-volume")
            $0.write(2, map: ["attached": "yes"])
            $0.write(3, string: "/staging")
            $0.write(4, string: "/target")
            $0.write(5) { capability in
                capability.write(2) {
                    $0.write(1, string: "ext4")
                    $0.write(2, strings: ["ro", "noatime"])
                    $0.write(3, string: "2000")
                }
                capability.write(3) { $0.write(1, int32: 2) }
            }
            $0.write(6, bool: true)
            $0.write(7, map: ["password": "pässword"])
            $0.write(8, map: ["credentialSpec": "WebApp01", "csi.storage.k8s.io/ephemeral": "true"])
        }
        let request = try NodePublishVolumeRequest(decoding: bytes)
        XCTAssertEqual(request.volumeID, "csi-volume")
        XCTAssertEqual(request.publishContext, ["attached": "yes"])
        XCTAssertEqual(request.stagingTargetPath, "/staging")
        XCTAssertEqual(request.targetPath, "/target")
        XCTAssertEqual(
            request.volumeCapability,
            VolumeCapability(
                accessType: .mount(MountVolume(fsType: "ext4", mountFlags: ["ro", "noatime"], volumeMountGroup: "2000")),
                accessMode: AccessMode(mode: .singleNodeReaderOnly)))
        XCTAssertTrue(request.readonly)
        XCTAssertEqual(request.secrets.names, ["password"])
        XCTAssertEqual(request.secrets["password"], SecretBytes(Array("pässword".utf8)))
        XCTAssertEqual(request.volumeContext, ["credentialSpec": "WebApp01", "csi.storage.k8s.io/ephemeral": "true"])
    }

    /// An empty message is a request with every field at its default: no capability, not read-only.
    func testAnEmptyNodePublishVolumeRequestHasDefaults() throws {
        let request = try NodePublishVolumeRequest(decoding: [])
        XCTAssertEqual(request, NodePublishVolumeRequest())
        XCTAssertNil(request.volumeCapability)
        XCTAssertFalse(request.readonly)
        XCTAssertTrue(request.secrets.isEmpty)
    }

    /// protobuf's rules for a field seen twice: a scalar's last value wins, a map's last entry
    /// for a key wins, a message is merged, and a oneof's last member wins.
    func testFieldsSeenTwiceFollowProtobufsMergeRules() throws {
        let bytes = written {
            $0.write(1, string: "first")
            $0.write(1, string: "second")
            $0.write(8, map: ["a": "1"])
            $0.write(8, map: ["a": "2"])
            $0.write(5) { $0.write(2) { $0.write(1, string: "ext4") } }
            $0.write(5) { $0.write(2) { $0.write(3, string: "2000") } }
        }
        let request = try NodePublishVolumeRequest(decoding: bytes)
        XCTAssertEqual(request.volumeID, "second")
        XCTAssertEqual(request.volumeContext, ["a": "2"])
        XCTAssertEqual(request.volumeCapability?.accessType, .mount(MountVolume(fsType: "ext4", volumeMountGroup: "2000")))
        let blockLast = try NodePublishVolumeRequest(
            decoding: written {
                $0.write(5) {
                    $0.write(2) { $0.write(1, string: "ext4") }; $0.write(1) { _ in }
                }
            })
        XCTAssertEqual(blockLast.volumeCapability?.accessType, .block)
        let mountLast = try NodePublishVolumeRequest(
            decoding: written {
                $0.write(5) {
                    $0.write(1) { _ in }; $0.write(2) { _ in }
                }
            })
        XCTAssertEqual(mountLast.volumeCapability?.accessType, .mount(MountVolume()))
        XCTAssertNil(mountLast.volumeCapability?.accessMode)
    }

    /// Fields a newer kubelet might send, and known fields of another wire type, are read past.
    func testUnknownFieldsAndOtherWireTypesAreSkipped() throws {
        let bytes = written {
            $0.write(99, string: "from a newer CSI version")
            $0.write(1, uint64: 7) // volume_id as a varint: not volume_id
            $0.write(6, string: "true") // readonly as a string: not readonly
            $0.write(4, string: "/target")
            $0.write(100, fixed64: 1)
            $0.write(101, fixed32: 1)
        }
        let request = try NodePublishVolumeRequest(decoding: bytes)
        XCTAssertEqual(request.volumeID, "")
        XCTAssertFalse(request.readonly)
        XCTAssertEqual(request.targetPath, "/target")
        XCTAssertNoThrow(try GetPluginInfoRequest(decoding: bytes))
        XCTAssertNoThrow(try ProbeRequest(decoding: bytes))
        XCTAssertNoThrow(try NodeGetInfoRequest(decoding: bytes))
        XCTAssertNoThrow(try NodeGetCapabilitiesRequest(decoding: bytes))
        XCTAssertNoThrow(try InfoRequest(decoding: bytes))
    }

    /// A fault deep inside the request names the path of fields to it and its byte.
    func testAFaultInsideTheVolumeCapabilityNamesItsFieldPath() {
        // field 4 "/t", then field 5 { field 2 { field 3: a string that is not UTF-8 } }
        let bytes: [UInt8] = [0x22, 0x02, 0x2F, 0x74, 0x2A, 0x06, 0x12, 0x04, 0x1A, 0x02, 0xC3, 0x28]
        XCTAssertThrowsError(try NodePublishVolumeRequest(decoding: bytes)) { error in
            let error = error as? ProtobufError
            XCTAssertEqual(error?.problem, .notUTF8)
            XCTAssertEqual(error?.fieldPath, [5, 2, 3])
            XCTAssertEqual(error?.offset, 8)
        }
        // A map entry's key that runs past its entry.
        XCTAssertThrowsError(try NodePublishVolumeRequest(decoding: [0x42, 0x02, 0x0A, 0x05])) { error in
            XCTAssertEqual((error as? ProtobufError)?.fieldPath, [8, 1])
            XCTAssertEqual((error as? ProtobufError)?.problem, .lengthPastEnd(length: 5, remaining: 0))
        }
        // A request with no fields still must be a well-formed message.
        XCTAssertThrowsError(try ProbeRequest(decoding: [0x0B])) { error in
            XCTAssertEqual((error as? ProtobufError)?.problem, .unsupportedWireType(3))
        }
    }

    /// Secret values are never in a description, a debug description or a dump of the request.
    func testSecretsNeverShowInDescriptionsOrDumps() throws {
        let request = try NodePublishVolumeRequest(
            decoding: written {
                $0.write(4, string: "/target")
                $0.write(7, map: ["password": "hunter2", "token": "xyzzy-token"])
            })
        XCTAssertEqual(request.secrets.count, 2)
        var dumped = ""
        dump(request, to: &dumped)
        for text in ["\(request)", String(reflecting: request), dumped, "\(request.secrets)", String(reflecting: request.secrets)] {
            XCTAssertFalse(text.contains("hunter2"), text)
            XCTAssertFalse(text.contains("xyzzy"), text)
        }
        XCTAssertTrue("\(request)".contains("/target"))
        XCTAssertTrue("\(request)".contains("<2 secrets redacted>"))
    }

    func testNodeUnpublishVolumeRequestAndRegistrationStatusAreRead() throws {
        let unpublish = try NodeUnpublishVolumeRequest(
            decoding: written {
                $0.write(1, string: "csi-volume"); $0.write(2, string: "/target")
            })
        XCTAssertEqual(unpublish.volumeID, "csi-volume")
        XCTAssertEqual(unpublish.targetPath, "/target")
        let status = try RegistrationStatus(
            decoding: written {
                $0.write(1, bool: true); $0.write(2, string: "why")
            })
        XCTAssertEqual(status, RegistrationStatus(pluginRegistered: true, error: "why"))
        // Any varint but 0 is true.
        XCTAssertTrue(try RegistrationStatus(decoding: [0x08, 0x80, 0x01]).pluginRegistered)
    }

    /// A mode this version does not know is kept, as proto3's open enums are.
    func testAnUnknownAccessModeIsKept() throws {
        let request = try NodePublishVolumeRequest(decoding: written { $0.write(5) { $0.write(3) { $0.write(1, int32: 42) } } })
        XCTAssertEqual(request.volumeCapability?.accessMode?.mode, AccessMode.Mode(rawValue: 42))
        XCTAssertEqual("\(AccessMode.Mode(rawValue: 42))", "mode 42")
        XCTAssertEqual("\(AccessMode.Mode.singleNodeWriter)", "SINGLE_NODE_WRITER")
    }
}
