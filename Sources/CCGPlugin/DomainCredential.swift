/// What a plug-in returns: the portable user's domain, user name and password, as
/// `ICcgDomainAuthCredentials::GetPasswordCredentials` does on Windows.
public struct DomainCredential: Sendable, Equatable, CustomStringConvertible {
    /// The user's domain: DNS name (`contoso.com`), NetBIOS name (`CONTOSO`) or realm.
    public var domainName: String
    /// The user's sAMAccountName (or `user@domain`).
    public var username: String
    public var password: Password
    /// Where the plug-in found them (e.g. "AWS Secrets Manager ARN, credentials from instance
    /// metadata"), for `ccgctl plugin test`; never a secret.
    public var source: String?

    public init(domainName: String, username: String, password: Password, source: String? = nil) {
        self.domainName = domainName
        self.username = username
        self.password = password
        self.source = source
    }

    public var description: String { "\(domainName)\\\(username)" }
}
