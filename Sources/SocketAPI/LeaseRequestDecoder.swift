import CredSpec
import JSON
import CredentialGuard
import FoundationEssentials

/// Reads a POST /v1/leases body into a `LeaseRequest`, naming the JSON path of whatever is wrong.
enum LeaseRequestDecoder {
    struct Failure: Error {
        let response: APIResponse
    }

    static let knownFields = ["credentialSpec", "credentialSpecName", "owner", "containerId", "mountPath", "holder", "expiresIn",
                              "onBehalfOfOwner"]
    /// The longest `expiresIn`: ten years, in seconds.
    static let longestLifetime: UInt64 = 10 * 366 * 24 * 3600

    static func decode(_ body: [UInt8], caller: PeerCredentials) throws(Failure) -> LeaseRequest {
        let value: JSONValue
        do { value = try JSONValue(parsing: body) } catch {
            throw bad("the body is not JSON: \(error.message)", field: nil)
        }
        guard case let .object(object) = value else { throw bad("the body must be a JSON object", field: nil) }
        for key in object.keys where !knownFields.contains(key) {
            throw bad("unknown field \"\(key)\"; the fields are \(knownFields.joined(separator: ", "))", field: key)
        }
        let source: LeaseRequest.Source
        switch (object["credentialSpec"], object["credentialSpecName"]) {
        case (nil, nil), (.some, .some):
            throw bad("give exactly one of credentialSpec (the CredSpec itself) and credentialSpecName (a file in the CredSpec directory)",
                      field: nil)
        case let (spec?, nil):
            guard case .object = spec else { throw bad("credentialSpec must be a JSON object (the CredSpec)", field: "credentialSpec") }
            do { source = .inline(try CredentialSpec(json: spec)) } catch {
                throw Failure(response: .error(.credspecInvalid, error.message, field: error.field.map { "credentialSpec." + $0 } ?? "credentialSpec"))
            }
        case let (nil, name?):
            guard case let .string(text) = name else { throw bad("credentialSpecName must be a string", field: "credentialSpecName") }
            source = .named(text)
        }
        var owner = LeaseOwner(uid: caller.uid, gid: caller.gid)
        if let value = object["owner"] {
            guard case let .object(fields) = value else { throw bad("owner must be an object {\"uid\": …, \"gid\": …}", field: "owner") }
            for key in fields.keys where key != "uid" && key != "gid" {
                throw bad("unknown field \"\(key)\" in owner; give uid and gid", field: "owner.\(key)")
            }
            owner.uid = try id(fields["uid"], field: "owner.uid") ?? owner.uid
            owner.gid = try id(fields["gid"], field: "owner.gid") ?? owner.gid
        }
        var containerID: String?
        if let value = object["containerId"] {
            guard case let .string(text) = value, text.count <= 256, !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) else {
                throw bad("containerId must be a string of at most 256 printable characters", field: "containerId")
            }
            containerID = text
        }
        var mountPath = LeaseRequest.defaultMountPath
        if let value = object["mountPath"] {
            guard case let .string(text) = value, text.hasPrefix("/"), text.utf8.count <= 1024,
                  !text.split(separator: "/").contains(".."),
                  !text.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == " " }) else {
                throw bad("mountPath must be an absolute path without .., spaces or control characters", field: "mountPath")
            }
            mountPath = text
        }
        var holder: LeaseHolder?
        if let value = object["holder"] {
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
                    throw bad("holder.startTime must be the process's start time in clock ticks since boot (field 22 of /proc/PID/stat)",
                              field: "holder.startTime")
                }
                startTime = ticks
            }
            holder = LeaseHolder(pid: pid, startTime: startTime)
        }
        var expiresAt: Date?
        if let value = object["expiresIn"] {
            guard case let .number(text) = value, let seconds = UInt64(text), seconds >= 1, seconds <= longestLifetime else {
                throw bad("expiresIn must be a whole number of seconds from 1 to \(longestLifetime)", field: "expiresIn")
            }
            expiresAt = Date().addingTimeInterval(TimeInterval(seconds))
        }
        var onBehalfOfOwner = false
        if let value = object["onBehalfOfOwner"] {
            guard case let .bool(flag) = value else { throw bad("onBehalfOfOwner must be true or false", field: "onBehalfOfOwner") }
            onBehalfOfOwner = flag
        }
        return LeaseRequest(source: source, owner: owner, containerID: containerID, mountPath: mountPath, creator: caller.uid,
                            creatorGID: caller.gid, holder: holder, expiresAt: expiresAt, onBehalfOfOwner: onBehalfOfOwner)
    }

    private static func id(_ value: JSONValue?, field: String) throws(Failure) -> UInt32? {
        guard let value else { return nil }
        guard case let .number(text) = value, let number = UInt32(text), number != UInt32.max else {
            throw bad("\(field) must be a whole number from 0 to 4294967294", field: field)
        }
        return number
    }

    private static func bad(_ message: String, field: String?) -> Failure {
        Failure(response: .error(.badRequest, message + ".", field: field))
    }
}
