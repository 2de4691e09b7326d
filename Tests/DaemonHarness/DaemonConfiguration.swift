import Foundation

/// Pieces of a ccgd.conf for a daemon the tests or the benchmark start on their own directories.
package enum DaemonConfiguration {
    /// Every line of the ccgd.conf at `path` outside its [daemon] section (its [plugins], [domain]
    /// and other sections), to follow a [daemon] section of the caller's own.
    package static func sectionsOtherThanDaemon(ofFile path: String) throws -> String {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        var others: [Substring] = []
        var inDaemon = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("[") { inDaemon = trimmed == "[daemon]" }
            if !inDaemon { others.append(line) }
        }
        return others.joined(separator: "\n")
    }
}
