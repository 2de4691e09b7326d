/// The methods a server serves, by their gRPC path (`/package.Service/Method`), each taking the
/// request's message bytes and the connection's caller (`Caller`: whatever the server learnt of
/// the peer when it accepted the connection) to the answer's message bytes or an `RPCStatus`.
package struct GRPCRoutes<Caller: Sendable>: Sendable {
    package typealias Handler = @Sendable (_ request: [UInt8], _ caller: Caller) async throws -> [UInt8]

    private var handlers: [String: Handler] = [:]

    package init() {}

    /// `methods` of one service (`package.Service`), by their names.
    package init(service: String, _ methods: [String: Handler]) {
        add(service: service, methods)
    }

    /// Adds `methods` of one service (`package.Service`); a method already routed is replaced.
    package mutating func add(service: String, _ methods: [String: Handler]) {
        for (name, handler) in methods { handlers["/\(service)/\(name)"] = handler }
    }

    /// The handler of a `:path`, or nil: the stream handler answers UNIMPLEMENTED.
    package func handler(at path: String) -> Handler? { handlers[path] }

    /// The paths served, sorted (for logs and tests).
    package var paths: [String] { handlers.keys.sorted() }

    /// The routes of one connection: each method called with `caller`.
    package func bound(to caller: Caller) -> GRPCStreamHandler.Route {
        let handlers = self.handlers
        return { path in
            guard let handler = handlers[path] else { return nil }
            return { request in try await handler(request, caller) }
        }
    }
}
