import ContainerRequest
import JSON

extension LeaseRequestBody {
    /// Why a body is refused: a sentence (ending with a full stop) and the JSON path of the field.
    package struct Problem: Error, Equatable, Sendable {
        package let message: String
        package let field: String?

        package init(_ message: String, field: String?) {
            self.message = message
            self.field = field
        }
    }

    /// Reads a body, checking each field's shape in the order docs/api.md lists them.
    /// `checkCredentialSpec` runs on an inline CredSpec before the fields after it are read, so
    /// its problem (a CredSpec error of the caller's) comes first, as ccgd has always answered.
    package init<Failure: Error>(
        json value: JSONValue, checkCredentialSpec: (JSONValue) throws(Failure) -> Void
    ) throws(LeaseRequestBodyFailure<Failure>) {
        guard case let .object(object) = value else { throw .body(Self.bad("the body must be a JSON object", field: nil)) }
        for key in object.keys where !Self.fieldNames.contains(key) {
            throw .body(Self.bad("unknown field \"\(key)\"; the fields are \(Self.fieldNames.joined(separator: ", "))", field: key))
        }
        switch (object["credentialSpec"], object["credentialSpecName"]) {
        case (nil, nil), (.some, .some):
            throw .body(
                Self.bad(
                    "give exactly one of credentialSpec (the CredSpec itself) and credentialSpecName (a file in the CredSpec directory)",
                    field: nil))
        case let (spec?, nil):
            guard case .object = spec else { throw .body(Self.bad("credentialSpec must be a JSON object (the CredSpec)", field: "credentialSpec")) }
            do { try checkCredentialSpec(spec) } catch { throw .credentialSpec(error) }
            source = .inline(spec)
        case let (nil, name?):
            guard case let .string(text) = name else { throw .body(Self.bad("credentialSpecName must be a string", field: "credentialSpecName")) }
            source = .named(text)
        }
        do throws(Problem) {
            try readOptionalFields(object)
        } catch {
            throw .body(error)
        }
    }

    private mutating func readOptionalFields(_ object: JSONObject) throws(Problem) {
        if let value = object["owner"] {
            guard case let .object(fields) = value else { throw Self.bad("owner must be an object {\"uid\": …, \"gid\": …}", field: "owner") }
            for key in fields.keys where key != "uid" && key != "gid" {
                throw Self.bad("unknown field \"\(key)\" in owner; give uid and gid", field: "owner.\(key)")
            }
            ownerUID = try Self.id(fields["uid"], field: "owner.uid")
            ownerGID = try Self.id(fields["gid"], field: "owner.gid")
        }
        if let value = object["containerId"] {
            guard case let .string(text) = value, text.count <= 256, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw Self.bad("containerId must be a string of at most 256 printable characters", field: "containerId")
            }
            containerID = text
        }
        if let value = object["mountPath"] {
            guard case let .string(text) = value, text.hasPrefix("/"), text.utf8.count <= 1024,
                !text.split(separator: "/").contains(".."),
                !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " })
            else {
                throw Self.bad("mountPath must be an absolute path without .., spaces or control characters", field: "mountPath")
            }
            mountPath = text
        }
        if let value = object["holder"] {
            holder = try Self.holder(value)
        }
        if let value = object["expiresIn"] {
            guard case let .number(text) = value, let seconds = UInt64(text), seconds >= 1, seconds <= Self.longestLifetime else {
                throw Self.bad("expiresIn must be a whole number of seconds from 1 to \(Self.longestLifetime)", field: "expiresIn")
            }
            expiresIn = seconds
        }
        if let value = object["onBehalfOfOwner"] {
            guard case let .bool(flag) = value else { throw Self.bad("onBehalfOfOwner must be true or false", field: "onBehalfOfOwner") }
            onBehalfOfOwner = flag
        }
        if let value = object["kubernetesPod"] {
            guard case let .string(text) = value, let pod = KubernetesPod(text: text) else {
                throw Self.bad(
                    "kubernetesPod must be the pod's namespace and name as namespace/name, each of letters, digits, - and . only (unknown when not known)",
                    field: "kubernetesPod")
            }
            kubernetesPod = pod
        }
    }

    private static func holder(_ value: JSONValue) throws(Problem) -> Holder {
        guard case let .object(fields) = value else { throw bad("holder must be an object {\"pid\": …, \"startTime\": …}", field: "holder") }
        for key in fields.keys where key != "pid" && key != "startTime" {
            throw bad("unknown field \"\(key)\" in holder; give pid and, if known, startTime", field: "holder.\(key)")
        }
        guard case let .number(text)? = fields["pid"], let pid = Int32(text), pid > 0 else {
            throw bad("holder.pid must be the process id of a running process (a whole number from 1)", field: "holder.pid")
        }
        var startTime: UInt64?
        if let value = fields["startTime"] {
            guard case let .number(text) = value, let ticks = UInt64(text) else {
                throw bad(
                    "holder.startTime must be the process's start time in clock ticks since boot (field 22 of /proc/PID/stat)",
                    field: "holder.startTime")
            }
            startTime = ticks
        }
        return Holder(pid: pid, startTime: startTime)
    }

    private static func id(_ value: JSONValue?, field: String) throws(Problem) -> UInt32? {
        guard let value else { return nil }
        guard case let .number(text) = value, let number = UInt32(text), number != UInt32.max else {
            throw bad("\(field) must be a whole number from 0 to 4294967294", field: field)
        }
        return number
    }

    private static func bad(_ message: String, field: String?) -> Problem {
        Problem(message + ".", field: field)
    }
}

/// Why `LeaseRequestBody(json:checkCredentialSpec:)` refused a body: its own shape, or the
/// caller's check of the inline CredSpec.
package enum LeaseRequestBodyFailure<CredentialSpecFailure: Error>: Error {
    case body(LeaseRequestBody.Problem)
    case credentialSpec(CredentialSpecFailure)
}
