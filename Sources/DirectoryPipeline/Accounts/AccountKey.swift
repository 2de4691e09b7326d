import CredSpec
import DomainModel

/// An account's place in the cache: the account and who vouched for it.
package struct AccountKey: Hashable, Sendable {
    let realm: String
    /// Lower-cased, with `$`.
    let name: String
    /// The plug-in and input it is fetched through: another one means another fetch.
    let authority: AccountAuthority

    init(realm: String, account: String, authority: AccountAuthority) {
        self.realm = realm.uppercased()
        name = AccountName(account).normalized
        self.authority = authority
    }

    /// The keys of every account of `spec`, primary first; `machine` as `AccountAuthority` takes it.
    static func keys(of spec: CredentialSpec, machine: String?) -> [AccountKey] {
        let authority = AccountAuthority(spec, machine: machine)
        return spec.accounts.map { AccountKey(realm: spec.realm, account: $0, authority: authority) }
    }

    /// The CredSpec's own spelling of this account: a source that is not the directory may not fold case.
    func spelling(in spec: CredentialSpec) -> String {
        spec.accounts.first { AccountName($0).normalized == name } ?? name
    }
}
