import JSON

/// Reads the properties of one JSON object by name, case-insensitively as Windows does, tracking
/// the JSON path for errors and which members were read so the rest can be kept as unknown fields.
struct PropertyReader {
    /// The JSON path of this object; empty for the document.
    let path: String
    private let members: [(key: String, value: JSONValue)]
    private var wasRead: [Bool]

    init(_ value: JSONValue, at path: String) throws(CredentialSpecError) {
        guard case .object(let object) = value else {
            throw .wrongType(field: path, expected: [.object], found: value.kind)
        }
        self.path = path
        self.members = object.members
        self.wasRead = Array(repeating: false, count: object.members.count)
    }

    /// The JSON path of the property `name`.
    func path(of name: String) -> String {
        path.isEmpty ? name : "\(path).\(name)"
    }

    /// The members not read so far, in document order.
    var unknownFields: JSONObject {
        JSONObject(members.indices.filter { !wasRead[$0] }.map { members[$0] })
    }

    mutating func optional(_ name: String) throws(CredentialSpecError) -> JSONValue? {
        let wanted = name.lowercased()
        let matches = members.indices.filter { members[$0].key.lowercased() == wanted }
        guard matches.count <= 1 else { throw .duplicate(field: path(of: name)) }
        guard let match = matches.first else { return nil }
        wasRead[match] = true
        return members[match].value
    }

    mutating func required(_ name: String) throws(CredentialSpecError) -> JSONValue {
        guard let value = try optional(name) else { throw .missing(field: path(of: name)) }
        return value
    }

    mutating func string(_ name: String) throws(CredentialSpecError) -> String {
        let value = try required(name)
        guard case .string(let string) = value else {
            throw .wrongType(field: path(of: name), expected: [.string], found: value.kind)
        }
        return string
    }

    mutating func array(_ name: String) throws(CredentialSpecError) -> [JSONValue] {
        let value = try required(name)
        guard case .array(let elements) = value else {
            throw .wrongType(field: path(of: name), expected: [.array], found: value.kind)
        }
        return elements
    }

    mutating func object(_ name: String) throws(CredentialSpecError) -> PropertyReader {
        try PropertyReader(required(name), at: path(of: name))
    }
}
