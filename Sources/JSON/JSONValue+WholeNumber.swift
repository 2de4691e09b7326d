/// Whole numbers as the OCI state and config.json carry them.
extension JSONValue {
    /// A whole number from 0 to 2^32 - 1 (uids, gids, pids, mapping bounds).
    package var wholeNumber: UInt32? {
        guard case let .number(literal) = self else { return nil }
        return UInt32(literal)
    }
}
