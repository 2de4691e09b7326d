import DomainModel

/// A Kerberos string-to-key salt. Not secret: a KDC tells it to anyone in PA-ETYPE-INFO2.
package struct Salt: Sendable, Hashable, CustomStringConvertible {
    package let value: String

    package init(_ value: String) {
        self.value = value
    }

    /// The salt AD uses for a computer-style account (gMSAs are computer-like):
    /// UPPER(realm) + "host" + lower(sAMAccountName without a trailing "$") + "." + lower(DNS domain).
    /// A trailing dot on the DNS domain (a rooted name) is dropped, as AD's salt never has one.
    package static func computerAccount(realm: String, accountName: String, dnsDomain: String) -> Salt {
        let name = AccountName(accountName).bare
        let domain = dnsDomain.hasSuffix(".") ? dnsDomain.dropLast() : Substring(dnsDomain)
        return Salt(realm.uppercased() + "host" + name.lowercased() + "." + domain.lowercased())
    }

    package var description: String { value }
}
