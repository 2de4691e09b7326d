import JSON

/// How a host that is not domain joined authenticates to the domain (`HostAccountConfig`, "portable
/// CCG"): which plug-in to ask for the credentials of a portable user, and what to tell it.
package struct HostAccountConfig: Sendable, Equatable {
    /// The only version there is: "1".
    package static let supportedPortableCcgVersion = "1"

    /// The portable CCG version; ccgd accepts only "1".
    package let portableCcgVersion: String
    /// The plug-in that supplies the portable user's credentials.
    package let pluginGUID: PluginGUID
    /// What the plug-in receives.
    package let pluginInput: PluginInput
    /// Properties ccgd does not know, kept in order so they are written back.
    package let unknownFields: JSONObject

    /// A host account configuration, by default of portable CCG version "1".
    package init(
        portableCcgVersion: String = HostAccountConfig.supportedPortableCcgVersion, pluginGUID: PluginGUID,
        pluginInput: PluginInput, unknownFields: JSONObject = [:]
    ) {
        self.portableCcgVersion = portableCcgVersion
        self.pluginGUID = pluginGUID
        self.pluginInput = pluginInput
        self.unknownFields = unknownFields
    }
}
