import CredSpec

/// The hook's own way of reading the OCI state and config.json (member, text and elements are CredSpec's).
extension JSONValue {
    /// A whole number from 0 to 2^32 - 1 (uids, gids, pids, mapping bounds).
    var wholeNumber: UInt32? {
        guard case let .number(literal) = self else { return nil }
        return UInt32(literal)
    }
}
