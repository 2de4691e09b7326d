import CredSpec
import JSON
import FoundationEssentials
import LeaseService
@testable import SocketAPI

/// libFuzzer entry: a POST /v1/leases body. A refusal must itself be a JSON error document; an
/// accepted request must have a mount path the decoder promised.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLeaseRequest(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let body = [UInt8](UnsafeRawBufferPointer(start: data, count: size))
    do {
        let request = try LeaseRequestDecoder.decode(body, caller: PeerCredentials(pid: 1, uid: 1000, gid: 1000))
        precondition(
            request.mountPath.hasPrefix("/") && !request.mountPath.split(separator: "/").contains(".."),
            "an accepted mount path is relative or climbs out")
    } catch {
        guard case .object? = try? JSONValue(parsing: error.response.body) else {
            preconditionFailure("a refusal is not a JSON object")
        }
    }
    return 0
}
