import CredSpec
import JSON
import LeaseDocuments
import FoundationEssentials
import LeaseService

/// Reads a POST /v1/leases body into a `LeaseRequest`, naming the JSON path of whatever is wrong.
enum LeaseRequestDecoder {
    struct Failure: Error {
        let response: APIResponse
    }

    /// The body's shape is LeaseRequestBody's (shared with ccgctl and the OCI hook); the CredSpec,
    /// the caller's defaults and the clock are the server's.
    static func decode(_ body: [UInt8], caller: PeerCredentials) throws(Failure) -> LeaseRequest {
        let value: JSONValue
        do { value = try JSONValue(parsing: body) } catch {
            throw bad("the body is not JSON: \(error.message)", field: nil)
        }
        var inline: CredentialSpec?
        let request: LeaseRequestBody
        do {
            request = try LeaseRequestBody(json: value) { (spec: JSONValue) throws(CredentialSpecError) in
                inline = try CredentialSpec(json: spec)
            }
        } catch {
            switch error {
            case let .body(problem): throw Failure(response: .error(.badRequest, problem.message, field: problem.field))
            case let .credentialSpec(error):
                throw Failure(response: .error(.credspecInvalid, error.message, field: error.field.map { "credentialSpec." + $0 } ?? "credentialSpec"))
            }
        }
        let source: LeaseRequest.Source
        switch request.source {
        case .inline:
            // Set by the check above, which ran for every inline CredSpec.
            guard let inline else { throw bad("credentialSpec must be a JSON object (the CredSpec)", field: "credentialSpec") }
            source = .inline(inline)
        case let .named(name): source = .named(name)
        }
        let owner = LeaseOwner(uid: request.ownerUID ?? caller.uid, gid: request.ownerGID ?? caller.gid)
        let holder = request.holder.map { LeaseHolder(pid: $0.pid, startTime: $0.startTime) }
        let expiresAt = request.expiresIn.map { Date().addingTimeInterval(TimeInterval($0)) }
        return LeaseRequest(
            source: source, owner: owner, containerID: request.containerID, mountPath: request.mountPath ?? LeaseRequest.defaultMountPath,
            creator: caller.uid, creatorGID: caller.gid, holder: holder, expiresAt: expiresAt,
            onBehalfOfOwner: request.onBehalfOfOwner ?? false, kubernetesPod: request.kubernetesPod)
    }

    private static func bad(_ message: String, field: String?) -> Failure {
        Failure(response: .error(.badRequest, message + ".", field: field))
    }
}
