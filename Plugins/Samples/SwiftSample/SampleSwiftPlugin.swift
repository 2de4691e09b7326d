import CCGPlugin

/// A shared-object plug-in in Swift: everything an author writes is this conformance and the
/// exported entry point at the bottom. It answers from its input, for tests:
/// - `user@domain`: that user and domain, password `sample-password`;
/// - `fail:CODE`: a `PluginError` with that code (`not_found`, `access_denied`, …);
/// - `fail:other`: an error that is not a `PluginError`;
/// - `nul-password`: a password the C ABI cannot carry;
/// - `hang`: an answer after an hour, for timeout tests.
struct SampleSwiftPlugin: DomainAuthCredentials {
    func passwordCredentials(pluginInput: String) async throws -> DomainCredential {
        switch pluginInput {
        case "hang":
            try await Task.sleep(for: .seconds(3600))
        case "fail:other":
            throw SampleFailure()
        case "nul-password":
            return DomainCredential(domainName: "contoso.com", username: "user", password: Password("sample\0password"))
        default:
            break
        }
        if pluginInput.hasPrefix("fail:") {
            let name = pluginInput.dropFirst("fail:".count)
            let code = PluginError.Code(rawValue: String(name)) ?? .failed
            throw PluginError(code, "sample plug-in: asked to fail with \(name).")
        }
        guard let at = pluginInput.lastIndex(of: "@"), at != pluginInput.startIndex,
            pluginInput.index(after: at) != pluginInput.endIndex
        else {
            throw PluginError(.invalidInput, "sample plug-in: input \"\(pluginInput)\" is not user@domain; give the user and domain to answer with.")
        }
        return DomainCredential(
            domainName: String(pluginInput[pluginInput.index(after: at)...]),
            username: String(pluginInput[..<at]),
            password: Password("sample-password"))
    }
}

struct SampleFailure: Error, CustomStringConvertible {
    var description: String { "sample plug-in: a Swift error that is not a PluginError." }
}

@_cdecl("ccgd_plugin_entry")
public func ccgdPluginEntry(_ hostABIVersion: UInt32) -> UnsafeRawPointer? {
    PluginExport.table(for: SampleSwiftPlugin(), name: "Sample Swift plug-in", hostABIVersion: hostABIVersion)
}
