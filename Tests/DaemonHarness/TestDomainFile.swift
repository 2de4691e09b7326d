import Foundation

/// The test domain as `scripts/testdomain up` describes it: the `KEY=value` lines of
/// `testdomain.env` in its directory (keys `CCGD_TD_…`), read the same way by the integration
/// tests and by ccgd-bench.
package struct TestDomainFile: Sendable {
    package let directory: String
    /// Every line's key and value, keys in full (`CCGD_TD_REALM`).
    package let settings: [String: String]
    package var path: String { directory + "/testdomain.env" }

    /// The directory named by $CCGD_TESTDOMAIN_DIR, else `fallback`.
    package static func directory(fallback: String) -> String {
        ProcessInfo.processInfo.environment["CCGD_TESTDOMAIN_DIR"] ?? fallback
    }

    /// Reads `directory`/testdomain.env; nil when there is none (the domain was never started there).
    package init?(directory: String) {
        guard let text = try? String(contentsOfFile: directory + "/testdomain.env", encoding: .utf8) else { return nil }
        self.directory = directory
        settings = Self.settings(text)
    }

    /// `KEY=value` lines: the value is everything after the first `=`; other lines are ignored.
    static func settings(_ text: String) -> [String: String] {
        var settings: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let equals = line.firstIndex(of: "=") else { continue }
            settings[String(line[..<equals])] = String(line[line.index(after: equals)...])
        }
        return settings
    }

    /// The value of `CCGD_TD_`+`key`, empty when the file has none.
    package subscript(_ key: String) -> String { settings["CCGD_TD_" + key] ?? "" }

    /// The value of `CCGD_TD_`+`key`; a missing or empty one is an error that says what to do.
    package func required(_ key: String) throws -> String {
        guard let value = settings["CCGD_TD_" + key], !value.isEmpty else { throw Missing(file: path, key: "CCGD_TD_" + key) }
        return value
    }

    package struct Missing: Error, CustomStringConvertible {
        package let file: String, key: String
        package var description: String { "\(file) has no \(key); run scripts/testdomain up again." }
    }
}
