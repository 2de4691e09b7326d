// DO NOT EDIT.
// swift-format-ignore-file
// swiftlint:disable all
//
// Generated for grpc-swift 2 (GRPCCore 2.x, GRPCProtobuf 2.x) in the form protoc-gen-grpc-swift-2
// writes (server side only), from the file: credentials_fetcher.proto.

import GRPCCore
import GRPCProtobuf

// MARK: - credentialsfetcher.CredentialsFetcherService

/// Namespace containing generated types for the "credentialsfetcher.CredentialsFetcherService" service.
public enum Credentialsfetcher_CredentialsFetcherService: Sendable {
  /// Service descriptor for the "credentialsfetcher.CredentialsFetcherService" service.
  public static let descriptor = GRPCCore.ServiceDescriptor(fullyQualifiedService: "credentialsfetcher.CredentialsFetcherService")
  /// Namespace for method metadata.
  public enum Method: Sendable {
    /// Namespace for "AddKerberosLease" metadata.
    public enum AddKerberosLease: Sendable {
      public typealias Input = Credentialsfetcher_CreateKerberosLeaseRequest
      public typealias Output = Credentialsfetcher_CreateKerberosLeaseResponse
      public static let descriptor = GRPCCore.MethodDescriptor(
        service: GRPCCore.ServiceDescriptor(fullyQualifiedService: "credentialsfetcher.CredentialsFetcherService"),
        method: "AddKerberosLease"
      )
    }
    /// Namespace for "AddNonDomainJoinedKerberosLease" metadata.
    public enum AddNonDomainJoinedKerberosLease: Sendable {
      public typealias Input = Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseRequest
      public typealias Output = Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseResponse
      public static let descriptor = GRPCCore.MethodDescriptor(
        service: GRPCCore.ServiceDescriptor(fullyQualifiedService: "credentialsfetcher.CredentialsFetcherService"),
        method: "AddNonDomainJoinedKerberosLease"
      )
    }
    /// Namespace for "RenewNonDomainJoinedKerberosLease" metadata.
    public enum RenewNonDomainJoinedKerberosLease: Sendable {
      public typealias Input = Credentialsfetcher_RenewNonDomainJoinedKerberosLeaseRequest
      public typealias Output = Credentialsfetcher_RenewNonDomainJoinedKerberosLeaseResponse
      public static let descriptor = GRPCCore.MethodDescriptor(
        service: GRPCCore.ServiceDescriptor(fullyQualifiedService: "credentialsfetcher.CredentialsFetcherService"),
        method: "RenewNonDomainJoinedKerberosLease"
      )
    }
    /// Namespace for "DeleteKerberosLease" metadata.
    public enum DeleteKerberosLease: Sendable {
      public typealias Input = Credentialsfetcher_DeleteKerberosLeaseRequest
      public typealias Output = Credentialsfetcher_DeleteKerberosLeaseResponse
      public static let descriptor = GRPCCore.MethodDescriptor(
        service: GRPCCore.ServiceDescriptor(fullyQualifiedService: "credentialsfetcher.CredentialsFetcherService"),
        method: "DeleteKerberosLease"
      )
    }
    /// Namespace for "HealthCheck" metadata.
    public enum HealthCheck: Sendable {
      public typealias Input = Credentialsfetcher_HealthCheckRequest
      public typealias Output = Credentialsfetcher_HealthCheckResponse
      public static let descriptor = GRPCCore.MethodDescriptor(
        service: GRPCCore.ServiceDescriptor(fullyQualifiedService: "credentialsfetcher.CredentialsFetcherService"),
        method: "HealthCheck"
      )
    }
    /// Namespace for "AddKerberosArnLease" metadata.
    public enum AddKerberosArnLease: Sendable {
      public typealias Input = Credentialsfetcher_KerberosArnLeaseRequest
      public typealias Output = Credentialsfetcher_CreateKerberosArnLeaseResponse
      public static let descriptor = GRPCCore.MethodDescriptor(
        service: GRPCCore.ServiceDescriptor(fullyQualifiedService: "credentialsfetcher.CredentialsFetcherService"),
        method: "AddKerberosArnLease"
      )
    }
    /// Namespace for "RenewKerberosArnLease" metadata.
    public enum RenewKerberosArnLease: Sendable {
      public typealias Input = Credentialsfetcher_KerberosArnLeaseRequest
      public typealias Output = Credentialsfetcher_RenewKerberosArnLeaseResponse
      public static let descriptor = GRPCCore.MethodDescriptor(
        service: GRPCCore.ServiceDescriptor(fullyQualifiedService: "credentialsfetcher.CredentialsFetcherService"),
        method: "RenewKerberosArnLease"
      )
    }
    /// Descriptors for all methods in the "credentialsfetcher.CredentialsFetcherService" service.
    public static let descriptors: [GRPCCore.MethodDescriptor] = [
      AddKerberosLease.descriptor,
      AddNonDomainJoinedKerberosLease.descriptor,
      RenewNonDomainJoinedKerberosLease.descriptor,
      DeleteKerberosLease.descriptor,
      HealthCheck.descriptor,
      AddKerberosArnLease.descriptor,
      RenewKerberosArnLease.descriptor
    ]
  }
}

extension Credentialsfetcher_CredentialsFetcherService {
  /// A service protocol for the "credentialsfetcher.CredentialsFetcherService" service: each
  /// method takes one request (message and metadata) and answers one response message.
  public protocol ServiceProtocol: GRPCCore.RegistrableRPCService {
    func addKerberosLease(
      request: GRPCCore.ServerRequest<Credentialsfetcher_CreateKerberosLeaseRequest>,
      context: GRPCCore.ServerContext
    ) async throws -> Credentialsfetcher_CreateKerberosLeaseResponse

    func addNonDomainJoinedKerberosLease(
      request: GRPCCore.ServerRequest<Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseRequest>,
      context: GRPCCore.ServerContext
    ) async throws -> Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseResponse

    func renewNonDomainJoinedKerberosLease(
      request: GRPCCore.ServerRequest<Credentialsfetcher_RenewNonDomainJoinedKerberosLeaseRequest>,
      context: GRPCCore.ServerContext
    ) async throws -> Credentialsfetcher_RenewNonDomainJoinedKerberosLeaseResponse

    func deleteKerberosLease(
      request: GRPCCore.ServerRequest<Credentialsfetcher_DeleteKerberosLeaseRequest>,
      context: GRPCCore.ServerContext
    ) async throws -> Credentialsfetcher_DeleteKerberosLeaseResponse

    func healthCheck(
      request: GRPCCore.ServerRequest<Credentialsfetcher_HealthCheckRequest>,
      context: GRPCCore.ServerContext
    ) async throws -> Credentialsfetcher_HealthCheckResponse

    func addKerberosArnLease(
      request: GRPCCore.ServerRequest<Credentialsfetcher_KerberosArnLeaseRequest>,
      context: GRPCCore.ServerContext
    ) async throws -> Credentialsfetcher_CreateKerberosArnLeaseResponse

    func renewKerberosArnLease(
      request: GRPCCore.ServerRequest<Credentialsfetcher_KerberosArnLeaseRequest>,
      context: GRPCCore.ServerContext
    ) async throws -> Credentialsfetcher_RenewKerberosArnLeaseResponse

  }
}

extension Credentialsfetcher_CredentialsFetcherService.ServiceProtocol {
  public func registerMethods<Transport>(with router: inout GRPCCore.RPCRouter<Transport>) where Transport: GRPCCore.ServerTransport {
    router.registerHandler(
      forMethod: Credentialsfetcher_CredentialsFetcherService.Method.AddKerberosLease.descriptor,
      deserializer: GRPCProtobuf.ProtobufDeserializer<Credentialsfetcher_CreateKerberosLeaseRequest>(),
      serializer: GRPCProtobuf.ProtobufSerializer<Credentialsfetcher_CreateKerberosLeaseResponse>(),
      handler: { request, context in
        let single = try await GRPCCore.ServerRequest(stream: request)
        let message = try await self.addKerberosLease(request: single, context: context)
        return GRPCCore.StreamingServerResponse(single: GRPCCore.ServerResponse(message: message))
      }
    )
    router.registerHandler(
      forMethod: Credentialsfetcher_CredentialsFetcherService.Method.AddNonDomainJoinedKerberosLease.descriptor,
      deserializer: GRPCProtobuf.ProtobufDeserializer<Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseRequest>(),
      serializer: GRPCProtobuf.ProtobufSerializer<Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseResponse>(),
      handler: { request, context in
        let single = try await GRPCCore.ServerRequest(stream: request)
        let message = try await self.addNonDomainJoinedKerberosLease(request: single, context: context)
        return GRPCCore.StreamingServerResponse(single: GRPCCore.ServerResponse(message: message))
      }
    )
    router.registerHandler(
      forMethod: Credentialsfetcher_CredentialsFetcherService.Method.RenewNonDomainJoinedKerberosLease.descriptor,
      deserializer: GRPCProtobuf.ProtobufDeserializer<Credentialsfetcher_RenewNonDomainJoinedKerberosLeaseRequest>(),
      serializer: GRPCProtobuf.ProtobufSerializer<Credentialsfetcher_RenewNonDomainJoinedKerberosLeaseResponse>(),
      handler: { request, context in
        let single = try await GRPCCore.ServerRequest(stream: request)
        let message = try await self.renewNonDomainJoinedKerberosLease(request: single, context: context)
        return GRPCCore.StreamingServerResponse(single: GRPCCore.ServerResponse(message: message))
      }
    )
    router.registerHandler(
      forMethod: Credentialsfetcher_CredentialsFetcherService.Method.DeleteKerberosLease.descriptor,
      deserializer: GRPCProtobuf.ProtobufDeserializer<Credentialsfetcher_DeleteKerberosLeaseRequest>(),
      serializer: GRPCProtobuf.ProtobufSerializer<Credentialsfetcher_DeleteKerberosLeaseResponse>(),
      handler: { request, context in
        let single = try await GRPCCore.ServerRequest(stream: request)
        let message = try await self.deleteKerberosLease(request: single, context: context)
        return GRPCCore.StreamingServerResponse(single: GRPCCore.ServerResponse(message: message))
      }
    )
    router.registerHandler(
      forMethod: Credentialsfetcher_CredentialsFetcherService.Method.HealthCheck.descriptor,
      deserializer: GRPCProtobuf.ProtobufDeserializer<Credentialsfetcher_HealthCheckRequest>(),
      serializer: GRPCProtobuf.ProtobufSerializer<Credentialsfetcher_HealthCheckResponse>(),
      handler: { request, context in
        let single = try await GRPCCore.ServerRequest(stream: request)
        let message = try await self.healthCheck(request: single, context: context)
        return GRPCCore.StreamingServerResponse(single: GRPCCore.ServerResponse(message: message))
      }
    )
    router.registerHandler(
      forMethod: Credentialsfetcher_CredentialsFetcherService.Method.AddKerberosArnLease.descriptor,
      deserializer: GRPCProtobuf.ProtobufDeserializer<Credentialsfetcher_KerberosArnLeaseRequest>(),
      serializer: GRPCProtobuf.ProtobufSerializer<Credentialsfetcher_CreateKerberosArnLeaseResponse>(),
      handler: { request, context in
        let single = try await GRPCCore.ServerRequest(stream: request)
        let message = try await self.addKerberosArnLease(request: single, context: context)
        return GRPCCore.StreamingServerResponse(single: GRPCCore.ServerResponse(message: message))
      }
    )
    router.registerHandler(
      forMethod: Credentialsfetcher_CredentialsFetcherService.Method.RenewKerberosArnLease.descriptor,
      deserializer: GRPCProtobuf.ProtobufDeserializer<Credentialsfetcher_KerberosArnLeaseRequest>(),
      serializer: GRPCProtobuf.ProtobufSerializer<Credentialsfetcher_RenewKerberosArnLeaseResponse>(),
      handler: { request, context in
        let single = try await GRPCCore.ServerRequest(stream: request)
        let message = try await self.renewKerberosArnLease(request: single, context: context)
        return GRPCCore.StreamingServerResponse(single: GRPCCore.ServerResponse(message: message))
      }
    )
  }
}
