@testable import PluginHost

/// libFuzzer entry: what an executable plug-in printed on stdout.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzPluginAnswer(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    do {
        switch try ExecutablePluginAnswer(parsing: UnsafeRawBufferPointer(start: data, count: size), path: "/fuzz/plugin") {
        case let .credential(credential): _ = (credential.domainName, credential.username)
        case let .failure(error): _ = error.description
        }
    } catch {
        _ = error.description
    }
    return 0
}
