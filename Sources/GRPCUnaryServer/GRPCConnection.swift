import NIOCore
import NIOHPACK
import NIOHTTP2

/// A gRPC server connection: HTTP/2 whose every stream is one unary RPC (`GRPCStreamHandler`),
/// with the bounds that keep one client from holding unbounded memory.
package enum GRPCConnection {
    package struct Limits: Sendable {
        /// Concurrent RPCs on one connection (HTTP/2's SETTINGS_MAX_CONCURRENT_STREAMS): without
        /// a bound, one connection could hold any number of RPCs, each with its request and answer.
        package var maximumConcurrentRPCs = 16
        /// The largest request message; a larger one is RESOURCE_EXHAUSTED as its data arrives.
        package var maximumRequestSize = 1 << 20

        package init(maximumConcurrentRPCs: Int = 16, maximumRequestSize: Int = 1 << 20) {
            self.maximumConcurrentRPCs = maximumConcurrentRPCs
            self.maximumRequestSize = maximumRequestSize
        }
    }

    /// Makes `connection` an HTTP/2 server connection whose every stream is one unary RPC routed
    /// by `route` (already bound to the connection's caller: `GRPCRoutes.bound(to:)`).
    package static func serve(on connection: any Channel, limits: Limits, route: @escaping GRPCStreamHandler.Route) throws {
        var http2 = NIOHTTP2Handler.ConnectionConfiguration()
        http2.initialSettings = [
            HTTP2Setting(parameter: .maxConcurrentStreams, value: limits.maximumConcurrentRPCs),
            HTTP2Setting(parameter: .maxHeaderListSize, value: HPACKDecoder.defaultMaxHeaderListSize),
        ]
        _ = try connection.pipeline.syncOperations.configureHTTP2Pipeline(
            mode: .server, connectionConfiguration: http2, streamConfiguration: .init()
        ) { stream in
            stream.eventLoop.makeCompletedFuture {
                try stream.pipeline.syncOperations.addHandler(GRPCStreamHandler(route: route, maximumMessageSize: limits.maximumRequestSize))
            }
        }
    }
}
