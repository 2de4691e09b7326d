import CredSpec
import FoundationEssentials

/// libFuzzer entry: a CredSpec file as it arrives (UTF-8 or UTF-16 with a BOM). A CredSpec that
/// parses must survive being written and read back unchanged.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCredSpec(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = Data(bytes: data, count: size)
    do {
        let spec = try CredentialSpec(jsonData: bytes)
        _ = (spec.accounts, spec.primaryAccount, spec.realm)
        for pretty in [true, false] {
            let reread = try? CredentialSpec(jsonData: spec.jsonData(prettyPrinted: pretty))
            precondition(reread == spec, "a CredSpec changed when written and read back")
        }
    } catch {
        _ = (error.message, error.field)
    }
    return 0
}
