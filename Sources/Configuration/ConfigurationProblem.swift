/// One thing wrong with the configuration, located by file, line and key.
package struct ConfigurationProblem: Error, Sendable, Equatable, CustomStringConvertible {
    package let file: String
    package let line: Int?
    package let key: String?
    package let message: String

    package init(file: String, line: Int?, key: String?, message: String) {
        self.file = file
        self.line = line
        self.key = key
        self.message = message
    }

    /// `file:line: key: message.`, like a compiler, so editors can jump to it.
    package var description: String {
        var text = file
        if let line { text += ":\(line)" }
        text += ": "
        if let key { text += "\(key): " }
        return text + message + (message.hasSuffix(".") ? "" : ".")
    }
}

/// Every problem found, reported together so an operator fixes them in one pass.
package struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    package let problems: [ConfigurationProblem]

    package init(problems: [ConfigurationProblem]) {
        self.problems = problems
    }

    package var description: String { problems.map(\.description).joined(separator: "\n") }
}
