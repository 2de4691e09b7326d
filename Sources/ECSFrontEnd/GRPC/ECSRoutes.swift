import CredentialsFetcherWire

/// credentials-fetcher's methods by their gRPC path (`/credentialsfetcher.CredentialsFetcherService/NAME`),
/// each reading its request, calling the service and writing its answer.
struct ECSRoutes: Sendable {
    static let service = "/credentialsfetcher.CredentialsFetcherService/"
    let service: CredentialsFetcherService

    func method(at path: String) -> GRPCStreamHandler.Method? {
        guard path.hasPrefix(Self.service) else { return nil }
        let service = self.service
        switch path.dropFirst(Self.service.count) {
        case "AddKerberosLease":
            return { bytes, peer in try await service.addKerberosLease(try Self.read(bytes), peer: peer).encoded() }
        case "AddNonDomainJoinedKerberosLease":
            return { bytes, peer in try await service.addNonDomainJoinedKerberosLease(try Self.read(bytes), peer: peer).encoded() }
        case "RenewNonDomainJoinedKerberosLease":
            return { bytes, peer in try await service.renewNonDomainJoinedKerberosLease(try Self.read(bytes), peer: peer).encoded() }
        case "DeleteKerberosLease":
            return { bytes, peer in try await service.deleteKerberosLease(try Self.read(bytes), peer: peer).encoded() }
        case "HealthCheck":
            return { bytes, peer in try service.healthCheck(try Self.read(bytes) as HealthCheckRequest, peer: peer).encoded() }
        case "AddKerberosArnLease", "RenewKerberosArnLease":
            // Never read: its request carries AWS keys ccgd has no use for.
            return { _, peer in try service.arnLease(peer: peer) }
        default:
            return nil
        }
    }

    static func read<Request: CredentialsFetcherRequest>(_ bytes: [UInt8]) throws(RPCStatus) -> Request {
        do { return try Request(decoding: bytes) } catch {
            throw RPCStatus(
                code: .invalidArgument,
                message: "the request is not a valid \(Request.self) message (\(error)); send the message credentials_fetcher.proto defines.")
        }
    }
}
