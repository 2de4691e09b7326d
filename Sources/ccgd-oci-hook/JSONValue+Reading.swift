import CredSpec

/// The few ways the hook reads the OCI state, config.json and ccgd's answers.
extension JSONValue {
    /// The member `key` of an object (nil for anything else).
    func member(_ key: String) -> JSONValue? {
        guard case let .object(object) = self else { return nil }
        return object[key]
    }

    var text: String? {
        guard case let .string(string) = self else { return nil }
        return string
    }

    /// A whole number from 0 to 2^32 - 1 (uids, gids, pids, mapping bounds).
    var wholeNumber: UInt32? {
        guard case let .number(literal) = self else { return nil }
        return UInt32(literal)
    }

    var elements: [JSONValue]? {
        guard case let .array(elements) = self else { return nil }
        return elements
    }
}
