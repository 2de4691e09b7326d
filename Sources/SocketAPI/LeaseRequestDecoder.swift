import CredSpec
import CredentialGuard

/// Reads a POST /v1/leases body into a `LeaseRequest`, naming the JSON path of whatever is wrong.
enum LeaseRequestDecoder {
    struct Failure: Error {
        let response: APIResponse
    }

    static let knownFields = ["credentialSpec", "credentialSpecName", "owner", "containerId", "mountPath"]

    static func decode(_ body: [UInt8], caller: PeerCredentials) throws(Failure) -> LeaseRequest {
        let value: JSONValue
        do { value = try JSONValue(parsing: .init(body)) } catch {
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
        return LeaseRequest(source: source, owner: owner, containerID: containerID, mountPath: mountPath, creator: caller.uid)
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
