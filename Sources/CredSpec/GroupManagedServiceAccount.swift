import JSON

/// One entry of `GroupManagedServiceAccounts`: a gMSA and the domain name (DNS or NetBIOS) it is
/// known by; New-CredentialSpec writes each account once per scope.
package struct GroupManagedServiceAccount: Sendable, Equatable {
    /// The gMSA's name without the trailing `$`, e.g. `WebApp01`.
    package let name: String
    /// The domain's DNS name or NetBIOS name.
    package let scope: String
    /// Properties ccgd does not know, kept in order so they are written back.
    package let unknownFields: JSONObject

    /// An account entry; a trailing `$` on `name` (the sAMAccountName spelling) is dropped.
    package init(name: String, scope: String, unknownFields: JSONObject = [:]) {
        self.name = NameSyntax.droppingTrailingDollar(name)
        self.scope = scope
        self.unknownFields = unknownFields
    }
}
