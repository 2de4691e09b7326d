import GRPCCore
import GRPCProtobuf

/// The service as the server registers it: the generated registration, with the two requests
/// that carry a password decoded by `SecretRequests` instead (the password straight into wiped
/// storage, never a String).
struct ECSRPCService: RegistrableRPCService {
    let service: CredentialsFetcherService

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        service.registerMethods(with: &router)
        typealias Methods = Credentialsfetcher_CredentialsFetcherService.Method
        // The router replaces a method's handler when it is registered again.
        let service = self.service
        router.registerHandler(
            forMethod: Methods.AddNonDomainJoinedKerberosLease.descriptor,
            deserializer: ProtobufDeserializer<SecretCreateNonDomainJoinedRequest>(),
            serializer: ProtobufSerializer<Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseResponse>(),
            handler: { request, _ in
                let single = try await ServerRequest(stream: request)
                let message = try await service.addNonDomainJoinedKerberosLease(single.message, metadata: single.metadata)
                return StreamingServerResponse(single: ServerResponse(message: message))
            })
        router.registerHandler(
            forMethod: Methods.RenewNonDomainJoinedKerberosLease.descriptor,
            deserializer: ProtobufDeserializer<SecretRenewNonDomainJoinedRequest>(),
            serializer: ProtobufSerializer<Credentialsfetcher_RenewNonDomainJoinedKerberosLeaseResponse>(),
            handler: { request, _ in
                let single = try await ServerRequest(stream: request)
                let message = try await service.renewNonDomainJoinedKerberosLease(single.message, metadata: single.metadata)
                return StreamingServerResponse(single: ServerResponse(message: message))
            })
    }
}
