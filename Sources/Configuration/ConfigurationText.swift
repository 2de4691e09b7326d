import SystemBasics

/// The syntax of ccgd's configuration file: INI in the style of git-config and krb5.conf, which
/// operators edit by hand. `[section]` or `[section "argument"]`, then `key = value` lines;
/// `#` and `;` start comments; a value may be double-quoted to keep leading or trailing spaces.
package struct ConfigurationText: Sendable {
    package struct Entry: Sendable, Equatable {
        package let key: String
        package let value: String
        package let line: Int
    }

    package struct Section: Sendable, Equatable {
        package let name: String
        package let argument: String?
        package let line: Int
        package var entries: [Entry]

        /// `[plugin "{GUID}"]` as written, for messages.
        package var title: String { argument.map { "[\(name) \"\($0)\"]" } ?? "[\(name)]" }
    }

    package let sections: [Section]
    package let problems: [ConfigurationProblem]

    /// Parses `text`, collecting every syntax problem rather than stopping at the first.
    package init(_ text: String, file: String) {
        var sections: [Section] = []
        var problems: [ConfigurationProblem] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let number = index + 1
            let line = rawLine.trimmingWhitespace()
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") {
                guard line.hasSuffix("]") else {
                    problems.append(.init(file: file, line: number, key: nil, message: "a section header must end with ]; write [name] or [name \"argument\"]"))
                    continue
                }
                let inner = line.dropFirst().dropLast().trimmingWhitespace()
                if let quote = inner.firstIndex(of: "\"") {
                    let name = inner[..<quote].trimmingWhitespace()
                    let rest = inner[inner.index(after: quote)...]
                    guard rest.hasSuffix("\""), rest.count >= 1, !name.isEmpty, !name.contains(" ") else {
                        problems.append(.init(file: file, line: number, key: nil, message: "malformed section header \(line); write [name \"argument\"]"))
                        continue
                    }
                    sections.append(Section(name: String(name).lowercased(), argument: String(rest.dropLast()), line: number, entries: []))
                } else {
                    guard !inner.isEmpty, !inner.contains(" ") else {
                        problems.append(
                            .init(file: file, line: number, key: nil, message: "malformed section header \(line); write [name] or [name \"argument\"]"))
                        continue
                    }
                    sections.append(Section(name: String(inner).lowercased(), argument: nil, line: number, entries: []))
                }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else {
                problems.append(.init(file: file, line: number, key: nil, message: "expected key = value, found \(line.prefix(40))"))
                continue
            }
            let key = line[..<equals].trimmingWhitespace().lowercased()
            var value = line[line.index(after: equals)...].trimmingWhitespace()
            if value.hasPrefix("\"") {
                guard value.count >= 2, value.hasSuffix("\"") else {
                    problems.append(.init(file: file, line: number, key: key, message: "the quoted value has no closing \""))
                    continue
                }
                value = value.dropFirst().dropLast()
            }
            guard !key.isEmpty else {
                problems.append(.init(file: file, line: number, key: nil, message: "a line starts with = and names no key"))
                continue
            }
            guard !sections.isEmpty else {
                problems.append(.init(file: file, line: number, key: key, message: "\(key) comes before any [section]; put it under the section it belongs to"))
                continue
            }
            sections[sections.count - 1].entries.append(Entry(key: key, value: String(value), line: number))
        }
        self.sections = sections
        self.problems = problems
    }
}

extension StringProtocol {
    /// Without the blanks of a line (space, tab, a CRLF file's CR) at either end.
    func trimmingWhitespace() -> SubSequence {
        trimmed { $0 == " " || $0 == "\t" || $0 == "\r" }
    }
}
