import CredentialsFetcherProtocol
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2Posix
import GRPCProtobuf

/// A client of the ECS front end, as the ECS agent is: one HTTP/2 connection, one
/// AddNonDomainJoinedKerberosLease per lease (the portable user in the request).
final class ECSLeaseClient: Sendable {
    typealias Method = Credentialsfetcher_CredentialsFetcherService.Method.AddNonDomainJoinedKerberosLease
    private let client: GRPCClient<HTTP2ClientTransport.Posix>
    private let connections: Task<Void, Error>
    private let request: Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseRequest

    /// `credentials` is the file plug-in's JSON: domainName, username, password.
    init(socket: String, credSpec: String, credentials: String) throws {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: credentials))) as? [String: String] ?? [:]
        var request = Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseRequest()
        request.credspecContents = [try String(contentsOfFile: credSpec, encoding: .utf8)]
        request.username = object["username"] ?? ""
        request.password = object["password"] ?? ""
        request.domain = object["domainName"] ?? ""
        self.request = request
        let client = GRPCClient(transport: try .http2NIOPosix(target: .unixDomainSocket(path: socket), transportSecurity: .plaintext))
        self.client = client
        connections = Task { try await client.runConnections() }
    }

    /// Creates one lease; answers its id.
    func lease() async throws -> String {
        try await client.unary(
            request: ClientRequest(message: request), descriptor: Method.descriptor,
            serializer: ProtobufSerializer<Method.Input>(), deserializer: ProtobufDeserializer<Method.Output>(),
            options: .defaults
        ) { response in try response.message.leaseID }
    }

    func close() async {
        client.beginGracefulShutdown()
        _ = try? await connections.value
    }
}
