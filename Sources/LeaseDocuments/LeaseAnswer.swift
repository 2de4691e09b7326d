import JSON

/// What a client uses of ccgd's answer to `POST /v1/leases` or `GET /v1/leases/ID` (docs/api.md,
/// SocketAPI's LeaseDocument writes it): where the lease's files are and where they go.
package struct LeaseAnswer: Sendable, Equatable {
    package let id: String
    /// The lease directory on the host (absolute).
    package let directory: String
    /// The name of its krb5.conf in the directory.
    package let krb5ConfName: String
    /// Where the directory goes inside the container.
    package let mountTarget: String
    /// The name the container should carry on the network (empty when ccgd names none).
    package let hostname: String

    /// The answer's fields, or nil when one it must have is missing or not absolute.
    package init?(json: JSONValue) {
        guard let id = json.member("id")?.text, let directory = json.member("directory")?.text, directory.hasPrefix("/"),
            let conf = json.member("files")?.member("krb5Conf")?.text, let target = json.member("mount")?.member("target")?.text
        else {
            return nil
        }
        self.id = id
        self.directory = directory
        krb5ConfName = conf
        mountTarget = target
        hostname = json.member("hostname")?.text ?? ""
    }

    /// The ids in an answer to `GET /v1/leases`.
    package static func ids(inList json: JSONValue) -> [String] {
        (json.member("leases")?.elements ?? []).compactMap { $0.member("id")?.text }
    }
}

/// Every error answer's body: `{"error": {"code", "message", "field"}}`.
package struct APIErrorAnswer: Sendable, Equatable {
    package let code: String
    package let message: String
    /// The JSON path of the request field at fault, if one is.
    package let field: String?

    package init?(json: JSONValue) {
        guard let error = json.member("error"), let code = error.member("code")?.text, let message = error.member("message")?.text else {
            return nil
        }
        self.code = code
        self.message = message
        field = error.member("field")?.text
    }
}
