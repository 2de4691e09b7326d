import JSON

extension CredentialSpecError {
    /// A CredSpec whose text is not JSON (or not UTF-8): the JSON reader's problem and position,
    /// in the CredSpec's own words.
    package init(_ error: JSONError) {
        if error.problem == .invalidUTF8 {
            self = .wrongEncoding(.invalidUTF8(byteOffset: error.byteOffset))
        } else {
            self = .notJSON(problem: error.problem.description, line: error.line, column: error.column)
        }
    }
}
