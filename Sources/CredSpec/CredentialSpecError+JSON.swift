import JSON

extension CredentialSpecError {
    /// A CredSpec whose text is not JSON: the JSON reader's problem and position, in the CredSpec's own words.
    public init(_ error: JSONError) {
        self = .notJSON(problem: error.problem.description, line: error.line, column: error.column)
    }
}
