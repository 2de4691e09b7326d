/// What a CredSpec's `DomainJoinConfig` says about a domain, as its domain controller tells it
/// (the facts `Get-ADDomain` shows and `New-CredentialSpec` copies).
package struct DomainFacts: Sendable, Equatable {
    /// The domain's naming context (`defaultNamingContext`), e.g. `DC=contoso,DC=com`.
    package let distinguishedName: String
    /// The domain object's `objectSid`, e.g. `S-1-5-21-1667864157-1729501337-2726663654`.
    package let sid: SecurityIdentifier
    /// The domain object's `objectGUID`, lowercase as Windows prints it.
    package let guid: String
    /// The domain's DNS name (its crossRef's `dnsRoot`), e.g. `contoso.com`.
    package let dnsName: String
    /// The domain's NetBIOS name (its crossRef's `nETBIOSName`), e.g. `CONTOSO`.
    package let netBiosName: String
    /// The DNS name of the forest's root domain: a CredSpec's `DnsTreeName`.
    package let forestDNSName: String
    /// The answering DC's own `dnsHostName`, when its root DSE names it.
    package let controllerHostName: String?

    package init(
        distinguishedName: String, sid: SecurityIdentifier, guid: String, dnsName: String, netBiosName: String,
        forestDNSName: String, controllerHostName: String?
    ) {
        self.distinguishedName = distinguishedName
        self.sid = sid
        self.guid = guid
        self.dnsName = dnsName
        self.netBiosName = netBiosName
        self.forestDNSName = forestDNSName
        self.controllerHostName = controllerHostName
    }
}

extension DirectoryConnection {
    /// Reads the facts of the domain this DC serves: the root DSE names the domain, the forest
    /// root and the configuration; the domain object holds SID and GUID; the domain's crossRef
    /// under `CN=Partitions` holds its DNS and NetBIOS names. Any authenticated user may read them.
    package func readDomainFacts() throws(DirectoryError) -> DomainFacts {
        let rootDSE = try search(
            base: "", scope: .base, filter: "(objectClass=*)",
            attributes: ["defaultNamingContext", "rootDomainNamingContext", "configurationNamingContext", "dnsHostName"]
        ).first
        guard let domainDN = rootDSE?.string("defaultNamingContext"), !domainDN.isEmpty else {
            throw malformed("its root DSE has no defaultNamingContext, so it does not look like an Active Directory DC")
        }
        let forestDN = rootDSE?.string("rootDomainNamingContext") ?? domainDN
        let configurationDN = rootDSE?.string("configurationNamingContext") ?? "CN=Configuration,\(forestDN)"

        let domainObject = try search(base: domainDN, scope: .base, filter: "(objectClass=*)", attributes: ["objectSid", "objectGUID"]).first
        guard let sid = domainObject?.values("objectSid").first.flatMap(SecurityIdentifier.init(binary:)) else {
            throw malformed("the domain object \(domainDN) has no readable objectSid")
        }
        guard let guid = domainObject?.values("objectGUID").first.flatMap(formatObjectGUID) else {
            throw malformed("the domain object \(domainDN) has no readable objectGUID")
        }

        let names = try partitionNames(of: Set([domainDN, forestDN]), under: configurationDN)
        guard let domain = names[domainDN.lowercased()], let dnsName = domain.dnsRoot, let netBiosName = domain.netBiosName else {
            throw malformed("CN=Partitions,\(configurationDN) has no crossRef with the dnsRoot and nETBIOSName of \(domainDN)")
        }
        return DomainFacts(
            distinguishedName: domainDN, sid: sid, guid: guid, dnsName: dnsName, netBiosName: netBiosName,
            forestDNSName: names[forestDN.lowercased()]?.dnsRoot ?? dnsName,
            controllerHostName: rootDSE?.string("dnsHostName")
        )
    }

    /// The crossRefs of the naming contexts `namingContexts`, by lowercased `nCName`.
    private func partitionNames(
        of namingContexts: Set<String>, under configurationDN: String
    ) throws(DirectoryError) -> [String: (dnsRoot: String?, netBiosName: String?)] {
        let wanted = namingContexts.sorted().map { "(nCName=\(ldapFilterEscape($0)))" }.joined()
        let entries = try search(
            base: "CN=Partitions,\(configurationDN)", scope: .oneLevel,
            filter: "(&(objectClass=crossRef)(|\(wanted)))", attributes: ["nCName", "dnsRoot", "nETBIOSName"]
        )
        var names: [String: (dnsRoot: String?, netBiosName: String?)] = [:]
        for entry in entries {
            guard let namingContext = entry.string("nCName") else { continue }
            names[namingContext.lowercased()] = (entry.string("dnsRoot"), entry.string("nETBIOSName"))
        }
        return names
    }

    private func malformed(_ reason: String) -> DirectoryError {
        .malformedAnswer(controller: controller.description, reason: reason)
    }
}
