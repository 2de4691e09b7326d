/// The name of a CredSpec in a CredSpec directory: `WebApp01` or `WebApp01.json` (any case of
/// `.json`) name the same CredSpec, as Docker's `credentialspec=file://WebApp01.json` and ccgd's
/// `credentialSpecName` do. A plain file name, so a name can never reach outside the directory.
package struct CredSpecName: Sendable, Hashable, CustomStringConvertible {
    /// The name without `.json`, e.g. `WebApp01`: what configuration sections, lists and logs show.
    package let stem: String
    /// The file in the directory: the name as given when it ends in `.json`, else `stem` + `.json`.
    package let fileName: String

    /// The longest file name Linux file systems take.
    package static let maximumLength = 255

    /// Why a text is not a CredSpec name.
    package struct Invalid: Error, Equatable, Sendable, CustomStringConvertible {
        /// The text as given.
        package let name: String

        package init(name: String) {
            self.name = name
        }

        package var description: String {
            "\"\(name)\" is not the plain name of a file in the CredSpec directory; give a name like WebApp01 or WebApp01.json."
        }
    }

    /// `name` checked: not empty, at most 255 characters, no `/` or NUL, not hidden (no leading `.`).
    package init(_ name: String) throws(Invalid) {
        let stem = Self.stem(of: name)
        guard !stem.isEmpty, name.count <= Self.maximumLength, !name.contains("/"), !name.contains("\0"), !name.hasPrefix(".") else {
            throw Invalid(name: name)
        }
        self.stem = stem
        self.fileName = stem.count == name.count ? name + ".json" : name
    }

    /// The name of a directory entry, or nil when it is no CredSpec's file (hidden, or not `*.json`).
    package init?(fileName: String) {
        guard Self.hasJSONSuffix(fileName), let name = try? CredSpecName(fileName) else { return nil }
        self = name
    }

    /// `WebApp01` for `WebApp01` and `WebApp01.json`, unchecked: for looking up a name that is
    /// checked where its file is read.
    package static func stem(of name: String) -> String {
        hasJSONSuffix(name) ? String(name.dropLast(5)) : name
    }

    private static func hasJSONSuffix(_ name: String) -> Bool {
        name.lowercased().hasSuffix(".json")
    }

    package var description: String { stem }
}
