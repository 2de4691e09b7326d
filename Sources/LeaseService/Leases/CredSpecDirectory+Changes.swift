import CredSpec

extension CredSpecDirectory {
    /// What the directory holds at one moment: each CredSpec's name (without `.json`) and what
    /// reading it gives (nil: its file is there but no usable CredSpec).
    package struct Contents: Equatable, Sendable {
        package var specs: [String: CredentialSpec?]

        package init(specs: [String: CredentialSpec?] = [:]) {
            self.specs = specs
        }
    }

    /// Which CredSpecs came, changed (their content, or whether they can be read) and went
    /// between two readings of the directory; names only, never what a CredSpec holds.
    package struct Changes: Equatable, Sendable, CustomStringConvertible {
        package var added: [String] = []
        package var changed: [String] = []
        package var removed: [String] = []

        package init(added: [String] = [], changed: [String] = [], removed: [String] = []) {
            (self.added, self.changed, self.removed) = (added, changed, removed)
        }

        package init(from before: Contents, to after: Contents) {
            added = after.specs.keys.filter { !before.specs.keys.contains($0) }.sorted()
            removed = before.specs.keys.filter { !after.specs.keys.contains($0) }.sorted()
            changed = after.specs.compactMap { name, spec in before.specs[name].flatMap { $0 == spec ? nil : name } }.sorted()
        }

        package var isEmpty: Bool { added.isEmpty && changed.isEmpty && removed.isEmpty }

        package var description: String {
            [("added", added), ("changed", changed), ("removed", removed)].filter { !$0.1.isEmpty }
                .map { "\($0.0) \($0.1.joined(separator: ","))" }.joined(separator: "; ")
        }
    }

    /// The directory's CredSpecs as they read now (parsed files are reused while unchanged).
    package func contents() -> Contents {
        Contents(specs: Dictionary(names().map { name in (name, try? read(name)) }, uniquingKeysWith: { first, _ in first }))
    }
}
