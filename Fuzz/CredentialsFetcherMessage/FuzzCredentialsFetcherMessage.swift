import CredentialsFetcherWire
import GRPCUnaryServer
import ProtobufWire

/// libFuzzer entry: the data of one gRPC stream of the ECS front end (a length-prefixed message),
/// read as every request of credentials-fetcher's service. Reading must never trap; a message
/// that reads must read the same again once its string fields are written back, so that the
/// reader and the writer agree on the wire format.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCredentialsFetcherMessage(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: data, count: size))
    // Framed as a client sends it, and (so that the fuzzer reaches the fields either way) bare.
    var messages = [bytes]
    if let framed = try? GRPCMessageFrame.unaryMessage(in: bytes) {
        precondition(GRPCMessageFrame.framed(Array(framed)) == bytes, "framing what was read gives other bytes")
        messages.append(Array(framed))
    }
    for message in messages {
        if let request = try? CreateKerberosLeaseRequest(decoding: message) {
            var writer = ProtobufWriter()
            writer.write(1, strings: request.credspecContents)
            precondition(
                (try? CreateKerberosLeaseRequest(decoding: writer.bytes))?.credspecContents == request.credspecContents,
                "CreateKerberosLeaseRequest does not read back")
        }
        if let request = try? CreateNonDomainJoinedKerberosLeaseRequest(decoding: message) {
            var writer = ProtobufWriter()
            writer.write(1, strings: request.credspecContents)
            writer.write(2, string: request.username)
            writer.write(4, string: request.domain)
            let again = try? CreateNonDomainJoinedKerberosLeaseRequest(decoding: writer.bytes)
            precondition(
                again?.credspecContents == request.credspecContents && again?.username == request.username
                    && again?.domain == request.domain, "CreateNonDomainJoinedKerberosLeaseRequest does not read back")
        }
        if let request = try? RenewNonDomainJoinedKerberosLeaseRequest(decoding: message) {
            var writer = ProtobufWriter()
            writer.write(1, string: request.username)
            writer.write(3, string: request.domain)
            let again = try? RenewNonDomainJoinedKerberosLeaseRequest(decoding: writer.bytes)
            precondition(
                again?.username == request.username && again?.domain == request.domain,
                "RenewNonDomainJoinedKerberosLeaseRequest does not read back")
        }
        if let request = try? DeleteKerberosLeaseRequest(decoding: message) {
            var writer = ProtobufWriter()
            writer.write(1, string: request.leaseID)
            precondition(
                (try? DeleteKerberosLeaseRequest(decoding: writer.bytes))?.leaseID == request.leaseID,
                "DeleteKerberosLeaseRequest does not read back")
        }
        _ = try? HealthCheckRequest(decoding: message)
    }
    return 0
}
