import CCGPlugin
import CredSpec
import Directory
import DomainModel
import DirectoryPipeline

/// Makes CredSpecs as `New-CredentialSpec` does: logs in as a user of the domain, reads the
/// domain's facts and checks that every account is a gMSA, without reading any password.
/// Blocking (Kerberos, LDAP): run it off the Swift concurrency pool.
package struct CredentialSpecAuthor: Sendable {
    package var settings: DomainSettings

    package init(settings: DomainSettings) {
        self.settings = settings
    }

    /// A gMSA as the directory spells it.
    package struct Account: Sendable, Equatable {
        /// With its `$`, e.g. `WebApp01$`.
        package let samAccountName: String
        package let distinguishedName: String
    }

    /// What was made, and where the facts came from.
    package struct Result: Sendable {
        package let spec: CredentialSpec
        package let facts: DomainFacts
        /// The accounts in the CredSpec's order.
        package let accounts: [Account]
        /// The DC that answered, and those tried before it that did not.
        package let controller: DomainController
        package let unreachableControllers: [DomainController]
        /// Who read the directory, and how the connection was protected.
        package let reader: String
        package let protection: String
    }

    /// The CredSpec `order` asks for, with the facts of its domain, read as `credential`'s user.
    package func make(_ order: NewCredentialSpec, readingAs credential: DomainCredential) throws(CredSpecCreationError) -> Result {
        try make(order, login: .portableUser(credential))
    }

    /// The same, read as a portable user or as this host's computer account.
    package func make(_ order: NewCredentialSpec, login: DomainLogin) throws(CredSpecCreationError) -> Result {
        let session: DirectorySession
        do {
            session = try DirectorySession(settings: settings, realm: order.realm, dnsDomain: order.dnsDomain, login: login)
        } catch {
            throw .directory(error)
        }
        let connection = session.connection
        let facts: DomainFacts
        do { facts = try connection.readDomainFacts() } catch { throw .directory(.directory(error)) }
        guard facts.dnsName.lowercased() == order.dnsDomain.lowercased() else {
            throw .otherDomain(requested: order.dnsDomain, served: facts.dnsName, controller: session.controller.description)
        }

        var accounts: [Account] = []
        var seen: Set<String> = []
        for name in order.accounts {
            let bare = AccountName(name).bare
            guard seen.insert(bare.lowercased()).inserted else { continue }
            let lookup: AccountLookup
            do { lookup = try connection.lookUpAccount(bare, domainDN: facts.distinguishedName) } catch { throw .directory(.directory(error)) }
            switch lookup {
            case let .groupManagedServiceAccount(samAccountName, distinguishedName):
                accounts.append(Account(samAccountName: samAccountName, distinguishedName: distinguishedName))
            case let .otherKind(samAccountName, objectClass):
                throw .notGroupManaged(account: samAccountName, objectClass: objectClass)
            case .notFound:
                throw .accountNotFound(account: bare, domain: facts.dnsName)
            }
        }
        let spec = try order.credentialSpec(facts: facts, accounts: accounts.map(\.samAccountName))
        return Result(
            spec: spec, facts: facts, accounts: accounts, controller: session.controller,
            unreachableControllers: session.unreachableControllers, reader: session.user,
            protection: session.protectionDescription)
    }
}
