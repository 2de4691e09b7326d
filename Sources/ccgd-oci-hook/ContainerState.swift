import ContainerRequest
import JSON

/// The OCI state a runtime gives a hook on standard input (runtime-spec "State"), and the
/// annotations ccgd reads from it.
struct ContainerState {
    /// The annotations ccgd reads (ContainerRequestKey says what each means).
    enum Annotation {
        static let credentialSpec = ContainerRequestKey.credentialSpec.annotation
        static let mountPath = ContainerRequestKey.mountPath.annotation
        static let krb5Conf = ContainerRequestKey.krb5Conf.annotation
    }

    let id: String
    /// `creating` at createRuntime (and prestart), `stopped` at poststop.
    let status: String
    let pid: Int32?
    let bundle: String
    let annotations: [String: String]

    init(json bytes: [UInt8]) throws(HookFailure) {
        let value: JSONValue
        do { value = try JSONValue(parsing: bytes) } catch {
            throw HookFailure("the OCI state on standard input is not JSON (\(error.message)); run ccgd-oci-hook as an OCI hook.")
        }
        guard let id = value.member("id")?.text, !id.isEmpty, let status = value.member("status")?.text else {
            throw HookFailure("the OCI state on standard input has no id or status; run ccgd-oci-hook as an OCI hook.")
        }
        self.id = id
        self.status = status
        pid = value.member("pid")?.wholeNumber.flatMap { Int32(exactly: $0) }
        bundle = value.member("bundle")?.text ?? ""
        var annotations: [String: String] = [:]
        if case let .object(object)? = value.member("annotations") {
            for member in object.members { if let text = member.value.text { annotations[member.key] = text } }
        }
        self.annotations = annotations
    }

    /// The id as people see it in `podman ps`.
    var shortID: String { String(id.prefix(12)) }
}
