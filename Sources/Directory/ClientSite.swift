import DomainModel

/// The AD site this host is in, and how ccgd knows: Windows' and SSSD's way (an LDAP ping, whose
/// answer names the client's site by the address it came from) or the `site` key over it.
package struct ClientSite: Sendable, Equatable, CustomStringConvertible {
    package enum Origin: Sendable, Equatable {
        /// `[daemon] site`: no ping.
        case configured
        /// The DC that answered the LDAP ping first.
        case ldapPing(answeredBy: String)
    }

    package let name: String
    package let origin: Origin

    package init(name: String, origin: Origin) {
        self.name = name
        self.origin = origin
    }

    /// "site key" or "LDAP ping of dc1.contoso.test": how the site was found, in a word.
    package var source: String {
        switch origin {
        case .configured: "site key"
        case let .ldapPing(host): "LDAP ping of \(host)"
        }
    }

    /// "Branch (from the LDAP ping answered by dc1.contoso.test)", "Branch (from [daemon] site)".
    package var description: String {
        switch origin {
        case .configured: "\(name) (from [daemon] site)"
        case let .ldapPing(host): "\(name) (from the LDAP ping answered by \(host))"
        }
    }
}

/// A domain's DCs as DNS and the client's site give them: the site's DCs first, the others
/// after them, so that the site's are asked first and any DC when those fail.
package struct DomainControllerLocation: Sendable, Equatable {
    /// The order to ask them in.
    package let controllers: [DomainController]
    package let site: ClientSite?
    /// The host names of the site's DCs (empty without a site or when it has no SRV records).
    package let siteControllers: [String]
    /// Why the DCs are not ordered by site (no answer to the ping, no subnet holds this host, the
    /// site has no SRV records); nil when they are.
    package let siteProblem: String?

    package init(controllers: [DomainController], site: ClientSite?, siteControllers: [String] = [], siteProblem: String? = nil) {
        self.controllers = controllers
        self.site = site
        self.siteControllers = siteControllers
        self.siteProblem = siteProblem
    }

    /// Whether `host` is one of the site's DCs.
    package func isInSite(_ host: String) -> Bool {
        siteControllers.contains { $0.lowercased() == host.lowercased() }
    }

    /// The site's DCs in their record's order, then the domain's other DCs in theirs.
    package static func siteFirst(site: [DomainController], domain: [DomainController]) -> [DomainController] {
        var seen = Set<String>()
        var ordered: [DomainController] = []
        for controller in site + domain where seen.insert(controller.hostName.lowercased()).inserted {
            ordered.append(controller)
        }
        return ordered
    }
}
