import CredentialsFetcherWire
import GRPCUnaryServer
import LeaseService
import ProtobufWire

/// credentials-fetcher's methods by their gRPC path (`/credentialsfetcher.CredentialsFetcherService/NAME`),
/// each reading its request, calling the service with the connection's peer and writing its answer.
enum ECSRoutes {
    static let serviceName = "credentialsfetcher.CredentialsFetcherService"
    static let service = "/\(serviceName)/"

    static func table(_ service: CredentialsFetcherService) -> GRPCRoutes<PeerCredentials?> {
        GRPCRoutes(
            service: serviceName,
            [
                "AddKerberosLease": { bytes, peer in try await service.addKerberosLease(try read(bytes), peer: peer).encoded() },
                "AddNonDomainJoinedKerberosLease": { bytes, peer in
                    try await service.addNonDomainJoinedKerberosLease(try read(bytes), peer: peer).encoded()
                },
                "RenewNonDomainJoinedKerberosLease": { bytes, peer in
                    try await service.renewNonDomainJoinedKerberosLease(try read(bytes), peer: peer).encoded()
                },
                "DeleteKerberosLease": { bytes, peer in try await service.deleteKerberosLease(try read(bytes), peer: peer).encoded() },
                "HealthCheck": { bytes, peer in try service.healthCheck(try read(bytes) as HealthCheckRequest, peer: peer).encoded() },
                // Never read: their requests carry AWS keys ccgd has no use for.
                "AddKerberosArnLease": { _, peer in try service.arnLease(peer: peer) },
                "RenewKerberosArnLease": { _, peer in try service.arnLease(peer: peer) },
            ])
    }

    static func read<Request: CredentialsFetcherRequest>(_ bytes: [UInt8]) throws(RPCStatus) -> Request {
        do { return try Request(decoding: bytes) } catch {
            throw RPCStatus(
                code: .invalidArgument,
                message: "the request is not a valid \(Request.self) message (\(error)); send the message credentials_fetcher.proto defines.")
        }
    }
}
