import FoundationEssentials
import Glibc
import Logging
import NIOHTTP1
import PackageVersion
import DirectoryPipeline
import DomainModel
import LeaseService
import Observability
import SystemBasics

/// Maps each request to the lease keeper and renders the answer. Everything a user can get
/// wrong becomes an error body with a stable code; nothing here can crash the daemon.
package struct APIRouter: Sendable {
    package static let version = PackageVersion.string

    let keeper: LeaseKeeper
    let health: ControllerHealth
    let metrics: Metrics
    let logger: Logger

    package init(keeper: LeaseKeeper, health: ControllerHealth, metrics: Metrics = .shared, logger: Logger = Logger(label: "ccgd.api")) {
        self.keeper = keeper
        self.health = health
        self.metrics = metrics
        self.logger = logger
    }

    /// Answers `request` under `policy` (the one in force when it arrived).
    package func handle(_ request: APIRequest, policy: PeerPolicy) async -> APIResponse {
        let started = ContinuousClock.now
        let (route, response) = await dispatch(request, LeaseAuthorization(policy: policy, peer: request.peer))
        metrics.increment("ccgd_http_requests_total", ["route": route, "status": String(response.status.code)])
        let elapsed = ContinuousClock.now - started
        metrics.observe("ccgd_http_request_seconds", ["route": route], seconds: elapsed.secondsValue)
        log(route, request, response)
        return response
    }

    /// Ends lease `id`, whose creating answer could not be delivered (the client was gone).
    package func abandon(_ id: LeaseID) async {
        await keeper.end(id, reason: .clientGone)
    }

    /// An audit line for every change and every refusal: who asked, what for, and the answer's
    /// code and sentence (errors never hold a secret; bodies are not logged).
    private func log(_ route: String, _ request: APIRequest, _ response: APIResponse) {
        var metadata: Logger.Metadata = [
            "route": "\(route)", "status": "\(response.status.code)",
            "peer_uid": "\(request.peer.uid)", "peer_gid": "\(request.peer.gid)", "peer_pid": "\(request.peer.pid)",
        ]
        if let failure = response.failure {
            metadata["code"] = "\(failure.code.rawValue)"
            metadata["error"] = "\(failure.message)"
            logger.log(level: response.status.code >= 500 ? .warning : .notice, "request refused", metadata: metadata)
        } else {
            logger.debug("request served", metadata: metadata)
        }
    }

    /// The route's name (a bounded label for metrics) and the response.
    private func dispatch(_ request: APIRequest, _ authorization: LeaseAuthorization) async -> (String, APIResponse) {
        let path = request.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? request.path
        let parts = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let method = request.method
        if parts == ["v1", "leases"] {
            switch method {
            case .POST: return ("create_lease", await createLease(request, authorization))
            case .GET:
                let query: LeaseQuery
                do { query = try LeaseQuery(target: request.path) } catch {
                    return ("list_leases", .error(.badRequest, error.description, field: error.field))
                }
                let leases = await keeper.allLeases().filter { authorization.maySee($0) && query.matches($0) }
                return ("list_leases", .json(.ok, APIDocuments.LeaseList(leases: leases.map(APIDocuments.LeaseDocument.init))))
            default: return ("method_not_allowed", methodNotAllowed(method, path, allowed: [.GET, .POST]))
            }
        }
        if parts.count >= 3, parts.count <= 4, parts[0] == "v1", parts[1] == "leases" {
            let text = parts[2]
            let keytab = parts.count == 4
            if keytab && parts[3] != "keytab" { return ("not_found", noRoute(method, path)) }
            // Another peer's lease does not exist for this one: same answer as an unknown id.
            var visible: Lease?
            if let id = LeaseID(text), let lease = await keeper.lease(id), authorization.maySee(lease) { visible = lease }
            switch (method, keytab) {
            case (.GET, false):
                guard let lease = visible else { return ("show_lease", notFound(text)) }
                return ("show_lease", .lease(.ok, APIDocuments.LeaseDocument(lease)))
            case (.DELETE, false):
                guard let id = visible?.id else { return ("delete_lease", notFound(text)) }
                do {
                    try await keeper.delete(id)
                    logger.info("lease deleted", metadata: ["lease": "\(id)", "peer_uid": "\(request.peer.uid)"])
                    return ("delete_lease", APIResponse(status: .noContent, body: []))
                } catch {
                    return ("delete_lease", .error(error))
                }
            case (.GET, true):
                guard let id = visible?.id else { return ("lease_keytab", notFound(text)) }
                // From memory: the file in the lease directory is its owner's to replace (with a symlink, a FIFO).
                do {
                    guard let keytab = try await keeper.keytab(of: id) else {
                        return (
                            "lease_keytab",
                            .error(
                                .directoryUnreachable,
                                "the accounts of lease \(id) have not been fetched since ccgd started; retry when GET /v1/accounts shows them fresh.")
                        )
                    }
                    return ("lease_keytab", APIResponse(status: .ok, contentType: "application/octet-stream", body: keytab.withUnsafeBytes { Array($0) }))
                } catch {
                    return ("lease_keytab", .error(error))
                }
            default:
                return ("method_not_allowed", methodNotAllowed(method, path, allowed: keytab ? [.GET] : [.GET, .DELETE]))
            }
        }
        switch (method, parts) {
        case (.GET, ["v1", "accounts"]):
            let accounts = await keeper.accountStatuses()
            return ("accounts", .json(.ok, APIDocuments.AccountList(accounts: accounts.map(APIDocuments.AccountDocument.init))))
        case (.GET, ["v1", "health"]):
            return ("health", await healthResponse())
        case (.GET, ["metrics"]):
            return ("metrics", await metricsResponse())
        case (_, ["v1", "accounts"]), (_, ["v1", "health"]), (_, ["metrics"]):
            return ("method_not_allowed", methodNotAllowed(method, path, allowed: [.GET]))
        default:
            return ("not_found", noRoute(method, path))
        }
    }

    private func methodNotAllowed(_ method: HTTPMethod, _ path: String, allowed: [HTTPMethod]) -> APIResponse {
        let methods = allowed.map(\.rawValue)
        let list = methods.count == 1 ? methods[0] : methods.dropLast().joined(separator: ", ") + " and " + methods.last!
        var response = APIResponse.error(.methodNotAllowed, "\(method) is not allowed on \(path), which takes \(list); see docs/api.md for the routes.")
        response.allow = allowed
        return response
    }

    private func noRoute(_ method: HTTPMethod, _ path: String) -> APIResponse {
        .error(.notFound, "no route \(method) \(path); the routes are /v1/leases, /v1/accounts, /v1/health and /metrics.")
    }

    private func notFound(_ id: String) -> APIResponse {
        .error(.notFound, "no lease \(id); list them with GET /v1/leases.")
    }

    private func createLease(_ request: APIRequest, _ authorization: LeaseAuthorization) async -> APIResponse {
        let leaseRequest: LeaseRequest
        do { leaseRequest = try LeaseRequestDecoder.decode(request.body, caller: request.peer) } catch { return error.response }
        if let refusal = authorization.refusal(of: leaseRequest) { return .error(refusal, field: refusal.field) }
        do {
            let lease = try await keeper.create(leaseRequest)
            var metadata: Logger.Metadata = [
                "lease": "\(lease.id)", "credspec": "\(lease.credentialSpecName ?? "inline")",
                "accounts": "\(lease.identities.map(\.account).joined(separator: ","))",
                "owner": "\(lease.owner.uid):\(lease.owner.gid)", "peer_uid": "\(request.peer.uid)",
                "container": "\(lease.containerID ?? "")",
            ]
            // A pod served through the hook (oci-hook-in-pods) is worth seeing in the audit trail.
            if let pod = lease.kubernetesPod { metadata["kubernetes_pod"] = "\(pod)" }
            logger.info("lease created", metadata: metadata)
            var response = APIResponse.lease(.created, APIDocuments.LeaseDocument(lease))
            response.createdLease = lease.id
            return response
        } catch {
            return .error(error, field: error.field)
        }
    }

    private func healthResponse() async -> APIResponse {
        let report = await HealthReport.assess(keeper: keeper, health: health)
        report.publish(to: metrics)
        let domains = report.controllers.map { realm, controllers in
            let site = health.location(realm: realm)?.site
            var domain = APIDocuments.Health.Domain(
                realm: realm,
                controllers: controllers.map {
                    .init(
                        host: $0.host, state: $0.state.rawValue, lastContact: $0.lastContact, inUse: $0.inUse, cause: $0.cause,
                        inSite: site == nil ? nil : $0.inSite)
                })
            domain.site = site?.name
            domain.siteSource = site?.source
            return domain
        }
        var document = APIDocuments.Health(
            status: report.degraded ? "degraded" : "ok", version: Self.version,
            leases: report.leases, accounts: report.accounts.count, domains: domains)
        document.prefetch = report.prefetch.map(APIDocuments.Health.Prefetch.init)
        document.reasons = report.reasons
        return .json(.ok, document)
    }

    /// The Prometheus exposition, its gauges read now: for the socket's `GET /metrics` and the
    /// optional TCP listener.
    package func metricsResponse() async -> APIResponse {
        await HealthReport.assess(keeper: keeper, health: health).publish(to: metrics)
        return APIResponse(status: .ok, contentType: "text/plain; version=0.0.4", body: Array(metrics.rendered().utf8))
    }
}
