import Foundation
import NIOHTTP1
import SocketAPI

// What the clocked tests (RotationIntegrationTests, RotationAcrossControllersIntegrationTests)
// share. Their bodies are synchronous on purpose: they block only XCTest's main thread (Process,
// sleeps, semaphores), never one of the two threads of Swift's cooperative pool, which the
// daemon's clients and every API call need.

/// Runs async work on the cooperative pool and blocks the calling (main) thread until it ends.
func blockingWait<T>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let box = BlockingResult<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// Polls `condition` every half second for up to two minutes; returns the seconds it took, or
/// fails naming `what` with the end of the daemon's log.
@discardableResult
func pollUntil(_ what: String, daemon: DaemonProcess?, _ condition: () throws -> Bool) throws -> Int {
    let start = Date()
    while Date().timeIntervalSince(start) < 120 {
        if try condition() { return Int(Date().timeIntervalSince(start).rounded()) }
        Thread.sleep(forTimeInterval: 0.5)
    }
    throw DaemonProcess.Failure("not within 120 s: \(what); the daemon's log:\n\(daemon?.logText.suffix(4000) ?? "")")
}

/// One request to the daemon, its answer parsed.
func parsedRequest(
    _ api: APIClient, _ method: HTTPMethod, _ path: String, _ json: String? = nil
) async throws -> (status: Int, object: [String: Any], text: String) {
    let response = try await api.send(method, path, body: json.map { Array($0.utf8) })
    let object = (try? JSONSerialization.jsonObject(with: Data(response.body))) as? [String: Any] ?? [:]
    return (response.status, object, response.text)
}

/// The kvno GET /v1/accounts gives the account whose name starts with `account`.
func accountKVNO(_ daemon: DaemonProcess, _ account: String) throws -> UInt32? {
    let api = daemon.client
    let object = try blockingWait { try await parsedRequest(api, .GET, "/v1/accounts").object }
    let accounts = object["accounts"] as? [[String: Any]] ?? []
    let entry = accounts.first { ($0["account"] as? String)?.lowercased().hasPrefix(account.lowercased()) == true }
    return (entry?["kvno"] as? NSNumber)?.uint32Value
}

/// The kvnos of `principal`'s keys in a keytab, as `klist -k` lists them.
func keytabKVNOs(_ keytab: String, _ principal: String, _ domain: TestDomain) throws -> Set<UInt32> {
    // "   2 Rot1$@CONTOSO.TEST (aes256-cts-hmac-sha1-96) "
    let listing = try domain.run(["klist", "-k", keytab])
    var kvnos = Set<UInt32>()
    for line in listing.split(separator: "\n") {
        let fields = line.split(separator: " ", omittingEmptySubsequences: true)
        if fields.count >= 2, let kvno = UInt32(fields[0]), fields[1].lowercased() == principal.lowercased() { kvnos.insert(kvno) }
    }
    return kvnos
}

private final class BlockingResult<T>: @unchecked Sendable { // written before the semaphore is signalled, read after
    var result: Result<T, Error>?
}
