import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// The lease traffic of a soak: clients fill the daemon up to `live` leases, then create and end
/// leases at a steady rate (the oldest ends as a new one is made), one in ten of the new ones
/// asking for `expiresIn` instead and ending on its own. Every answer other than 201 or 204 is a
/// failure, kept with its status and text for the report.
final class SoakChurn: Sendable {
    struct Totals {
        var created = 0
        var ended = 0
        var failures = 0
        var firstFailures: [String] = []
        /// Create latencies since the last `drainLatencies`, and all of them.
        var window: [Duration] = []
        var all: [Duration] = []
    }

    private struct State {
        var live: [String] = []
        var totals = Totals()
        var stopping = false
    }

    let accounts: [String]
    let target: Int
    /// Leases created per second by all clients together once `target` are live.
    let rate: Double
    let expiresIn: Int
    private let state = NIOLockedValueBox(State())

    init(accounts: [String], target: Int, rate: Double, expiresIn: Int) {
        self.accounts = accounts
        self.target = target
        self.rate = rate
        self.expiresIn = expiresIn
    }

    var live: Int { state.withLockedValue { $0.live.count } }
    var totals: Totals { state.withLockedValue { $0.totals } }
    var filled: Bool { live >= target }

    func stop() { state.withLockedValue { $0.stopping = true } }

    /// The create latencies since the last call.
    func drainLatencies() -> [Duration] {
        state.withLockedValue { state in
            defer { state.totals.window.removeAll(keepingCapacity: true) }
            return state.totals.window
        }
    }

    /// One client of `clients`, on its own connection, until `stop`.
    func run(client index: Int, of clients: Int, connect: @Sendable () async throws -> KeepAliveClient) async {
        var client: KeepAliveClient?
        let interval = Duration.seconds(Double(clients) / rate)
        var next = ContinuousClock.now
        var count = index
        while !state.withLockedValue({ $0.stopping }) {
            if filled {
                next = max(next + interval, .now - interval * 4) // a stall is not made up in a burst
                try? await Task.sleep(until: next, clock: .continuous)
            } else {
                next = .now
            }
            do {
                if client == nil { client = try await connect() }
                guard let connection = client else { continue }
                count += clients
                let expiring = filled && count % (clients * 10) == index
                try await create(accounts[count % accounts.count], expiring: expiring, on: connection)
                if let oldest = state.withLockedValue({ $0.live.count > target ? $0.live.removeFirst() : nil }) {
                    try await end(oldest, on: connection)
                }
            } catch {
                failed("the connection to ccgd failed: \(error)")
                client = nil
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Ends every lease still live (the end of the soak).
    func endAll(on client: KeepAliveClient) async throws {
        while let lease = state.withLockedValue({ $0.live.popLast() }) {
            try await end(lease, on: client)
        }
    }

    private func create(_ credSpec: String, expiring: Bool, on client: KeepAliveClient) async throws {
        let body = #"{"credentialSpecName": "\#(credSpec)"\#(expiring ? #", "expiresIn": \#(expiresIn)"# : "")}"#
        let started = ContinuousClock.now
        let (status, answer) = try await client.request(.POST, "/v1/leases", body: Array(body.utf8))
        let elapsed = ContinuousClock.now - started
        let id = (try? JSONSerialization.jsonObject(with: Data(answer)) as? [String: Any])?["id"] as? String
        guard status == 201, let id else {
            failed("POST /v1/leases for \(credSpec) answered \(status): \(String(decoding: answer.prefix(300), as: UTF8.self))")
            return
        }
        state.withLockedValue { state in
            state.totals.created += 1
            state.totals.window.append(elapsed)
            state.totals.all.append(elapsed)
            if !expiring { state.live.append(id) }
        }
    }

    private func end(_ lease: String, on client: KeepAliveClient) async throws {
        let (status, answer) = try await client.request(.DELETE, "/v1/leases/\(lease)", body: nil)
        guard status == 204 else {
            failed("DELETE /v1/leases/\(lease) answered \(status): \(String(decoding: answer.prefix(300), as: UTF8.self))")
            return
        }
        state.withLockedValue { $0.totals.ended += 1 }
    }

    private func failed(_ what: String) {
        state.withLockedValue { state in
            state.totals.failures += 1
            if state.totals.firstFailures.count < 20 { state.totals.firstFailures.append(what) }
        }
    }
}
