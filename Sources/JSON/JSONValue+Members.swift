/// Reading a value whose shape is not checked beforehand (OCI state, config.json, hooks.d
/// files, ccgd's answers): nil wherever the value is of another kind.
extension JSONValue {
    /// The first member `key` of an object (nil for anything else).
    package func member(_ key: String) -> JSONValue? {
        guard case let .object(object) = self else { return nil }
        return object[key]
    }

    package var text: String? {
        guard case let .string(string) = self else { return nil }
        return string
    }

    package var elements: [JSONValue]? {
        guard case let .array(elements) = self else { return nil }
        return elements
    }
}
