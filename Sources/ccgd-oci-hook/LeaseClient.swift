import ContainerRequest
import JSON
import LeaseDocuments
import SocketClient

/// The socket API calls the hook makes (docs/api.md): create a lease, find a container's
/// leases, delete one.
struct LeaseClient {
    /// What the hook uses of a created lease (the directory is checked before use: `CheckedLease`).
    typealias Granted = LeaseAnswer

    /// The uid ccgd runs as besides root: a server of any other user is not asked anything.
    let daemonUID: UInt32
    /// No threads: the hook must stay single-threaded to enter the container's mount namespace.
    private let http: UnixSocketHTTPClient

    init(socketPath: String, daemonUID: UInt32) {
        self.daemonUID = daemonUID
        // Longest wait for ccgd's answer (100 s): a lease for an account not yet cached needs the DC.
        http = UnixSocketHTTPClient(socketPath: socketPath, timeoutSeconds: 100, serverUIDs: [0, daemonUID], maximumAnswerByteCount: 4 << 20)
    }

    private func send(_ method: String, _ target: String, body: [UInt8]? = nil) throws(HookFailure) -> UnixSocketHTTPClient.Answer {
        do { return try http.send(method, target, body: body) } catch {
            throw HookFailure(error, method: method, target: target, daemonUID: daemonUID)
        }
    }

    /// A lease for the container: held by its init process (`holder`, with its start time when
    /// known), so that ccgd ends it when the container is gone even if no poststop runs, and
    /// asked on behalf of the container's user, to whom ccgd's allow-lists then apply; with the
    /// container's Kubernetes pod, if it is a pod's, for ccgd's rule on pods.
    func create(
        credentialSpecName: String, owner: (uid: UInt32, gid: UInt32), containerID: String, mountPath: String?,
        holder: (pid: Int32, startTime: UInt64?), kubernetesPod: KubernetesPod?
    ) throws(HookFailure) -> Granted {
        let request = LeaseRequestBody(
            source: .named(credentialSpecName), ownerUID: owner.uid, ownerGID: owner.gid, containerID: containerID, mountPath: mountPath,
            holder: .init(pid: holder.pid, startTime: holder.startTime), onBehalfOfOwner: true, kubernetesPod: kubernetesPod
        )
        let response = try send("POST", "/v1/leases", body: request.json.compactUTF8)
        guard let lease = LeaseAnswer(json: try Self.document(response, expecting: 201)) else {
            throw HookFailure("ccgd's lease has no id, directory, files.krb5Conf or mount.target; is ccgd older than this hook?")
        }
        return lease
    }

    /// The ids of the leases made for `containerID` (that this peer may see).
    func leases(ofContainer containerID: String) throws(HookFailure) -> [String] {
        let response = try send("GET", "/v1/leases?containerId=" + Self.percentEncoded(containerID))
        let list = try Self.document(response, expecting: 200)
        return LeaseAnswer.ids(inList: list)
    }

    func delete(_ id: String) throws(HookFailure) {
        let response = try send("DELETE", "/v1/leases/" + Self.percentEncoded(id))
        // Already gone (another poststop, an operator) is what was wanted.
        if response.status == 204 || response.status == 404 { return }
        _ = try Self.document(response, expecting: 204)
    }

    /// The JSON body of a successful answer, or ccgd's error as a failure: "code: message".
    private static func document(_ response: UnixSocketHTTPClient.Answer, expecting status: Int) throws(HookFailure) -> JSONValue {
        let value = try? JSONValue(parsing: response.body)
        guard response.status == status else {
            if let error = value.flatMap(APIErrorAnswer.init(json:)) { throw HookFailure("\(error.code): \(error.message)") }
            throw HookFailure("ccgd answered \(response.status) without an error body; see its log (journalctl -u ccgd).")
        }
        guard let value else {
            if status == 204 { return .null }
            throw HookFailure("ccgd's answer is not JSON; see its log (journalctl -u ccgd).")
        }
        return value
    }

    /// Every byte but RFC 3986's unreserved ones as %XX.
    static func percentEncoded(_ text: String) -> String {
        var encoded = ""
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"):
                encoded.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let hex = String(byte, radix: 16, uppercase: true)
                encoded += "%" + (hex.count == 1 ? "0" : "") + hex
            }
        }
        return encoded
    }
}
