import FoundationEssentials
import Glibc

/// The GUID that selects a CCG plug-in (`HostAccountConfig.PluginGUID`), e.g.
/// `{859E1386-BDB4-49E8-85C7-3070B13920E1}`; braces are optional and case does not matter.
package struct PluginGUID: Sendable, Hashable, CustomStringConvertible {
    /// The GUID as written, so a CredSpec is written back the way it was read.
    package let spelling: String
    /// The GUID's value; equality and hashing use only this.
    package let uuid: UUID

    /// Reads a GUID with or without braces, in any case; nil if `text` is not a GUID.
    package init?(_ text: String) {
        guard let uuid = GUIDText.uuid(from: text) else { return nil }
        self.spelling = text
        self.uuid = uuid
    }

    /// The GUID of `uuid`, spelt in braces and uppercase like the Windows registry.
    package init(_ uuid: UUID) {
        self.uuid = uuid
        self.spelling = "{\(uuid.uuidString.uppercased())}"
    }

    /// Uppercase hexadecimal without braces, e.g. `859E1386-BDB4-49E8-85C7-3070B13920E1`.
    package var normalized: String { uuid.uuidString.uppercased() }

    /// The GUID in braces and uppercase, e.g. `{859E1386-BDB4-49E8-85C7-3070B13920E1}`.
    package var description: String { "{\(normalized)}" }

    package static func == (lhs: PluginGUID, rhs: PluginGUID) -> Bool { lhs.uuid == rhs.uuid }

    package func hash(into hasher: inout Hasher) { hasher.combine(uuid) }
}
