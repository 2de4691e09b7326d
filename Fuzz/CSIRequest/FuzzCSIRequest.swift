import CSIWire
import ProtobufWire

/// libFuzzer entry: one message as the CSI node plug-in's sockets receive it (the bytes inside
/// gRPC's frame), read as every request ccgd's CSI and registration services read. Reading must
/// never trap; an error must point inside the message; a NodePublishVolumeRequest, a
/// NodeUnpublishVolumeRequest or a RegistrationStatus that reads must read the same again once
/// written back, so that the reader and the writer agree on the wire format.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSIRequest(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: data, count: size))
    func check<Request: CSIRequest>(_ type: Request.Type) -> Request? {
        do { return try Request(decoding: bytes) } catch {
            precondition(error.offset >= 0 && error.offset < max(bytes.count, 1), "\(Request.self): an error outside the message: \(error)")
            return nil
        }
    }
    if let request = check(NodePublishVolumeRequest.self) {
        precondition((try? NodePublishVolumeRequest(decoding: written(request))) == request, "NodePublishVolumeRequest does not read back")
    }
    if let request = check(NodeUnpublishVolumeRequest.self) {
        var writer = ProtobufWriter()
        writer.write(1, string: request.volumeID)
        writer.write(2, string: request.targetPath)
        precondition((try? NodeUnpublishVolumeRequest(decoding: writer.bytes)) == request, "NodeUnpublishVolumeRequest does not read back")
    }
    if let request = check(RegistrationStatus.self) {
        var writer = ProtobufWriter()
        writer.write(1, bool: request.pluginRegistered)
        writer.write(2, string: request.error)
        precondition((try? RegistrationStatus(decoding: writer.bytes)) == request, "RegistrationStatus does not read back")
    }
    _ = check(GetPluginInfoRequest.self)
    _ = check(GetPluginCapabilitiesRequest.self)
    _ = check(ProbeRequest.self)
    _ = check(NodeGetInfoRequest.self)
    _ = check(NodeGetCapabilitiesRequest.self)
    _ = check(InfoRequest.self)
    return 0
}

/// The request as a client would write it (the harness's own writer: ccgd writes no requests).
private func written(_ request: NodePublishVolumeRequest) -> [UInt8] {
    var writer = ProtobufWriter()
    writer.write(1, string: request.volumeID)
    writer.write(2, map: request.publishContext)
    writer.write(3, string: request.stagingTargetPath)
    writer.write(4, string: request.targetPath)
    if let capability = request.volumeCapability {
        writer.write(5) { message in
            switch capability.accessType {
            case .block: message.write(1) { _ in }
            case let .mount(mount):
                message.write(2) {
                    $0.write(1, string: mount.fsType)
                    $0.write(2, strings: mount.mountFlags)
                    $0.write(3, string: mount.volumeMountGroup)
                }
            case nil: break
            }
            if let mode = capability.accessMode?.mode { message.write(3) { $0.write(1, int32: mode.rawValue) } }
        }
    }
    writer.write(6, bool: request.readonly)
    for name in request.secrets.names {
        request.secrets[name]!.withUnsafeBytes { value in
            writer.write(7) {
                $0.writeLengthDelimited(1, name.utf8)
                $0.writeLengthDelimited(2, value)
            }
        }
    }
    writer.write(8, map: request.volumeContext)
    return writer.bytes
}
