import Directory

/// libFuzzer entry: a UDP datagram as anyone who can reach ccgd's ping socket may send it (the
/// answer to the LDAP ping of site discovery). liblber decodes the LDAP message, then
/// NetlogonResponse the Netlogon value it carries; the same bytes also go to NetlogonResponse
/// directly, so that its name pointers and optional fields are searched even when the BER around
/// them is wrong.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzLDAPPingAnswer(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    let bytes = [UInt8](UnsafeRawBufferPointer(start: data, count: size))
    if let answer = try? LDAPPing.netlogonValue(of: bytes), let netlogon = answer.netlogon {
        if let response = try? NetlogonResponse(decoding: netlogon, version: LDAPPing.version) {
            _ = response.isInClientSite
        }
    }
    for version in [LDAPPing.version, LDAPPing.version | NetlogonResponse.versionWithAddress] {
        if let response = try? NetlogonResponse(decoding: bytes, version: version) {
            precondition(NetlogonResponse.opcodes.contains(response.opcode), "an answer with an opcode it should have refused")
        }
    }
    return 0
}
