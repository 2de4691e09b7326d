import Foundation

/// The peers: the credentials-fetcher-style command chain, gmsad, and `ccgctl fetch`, each from
/// nothing to a keytab (and for the chain and ccgctl, a gMSA TGT) for the same gMSA.
extension CompareRun {
    var bench: String { CommandLine.arguments[0].contains("/") ? URL(fileURLWithPath: CommandLine.arguments[0]).path : CommandLine.arguments[0] }
    var chainLDIF: String { work + "/chain.ldif" }
    var chainKeytab: String { work + "/chain.keytab" }

    func ldapsearchArguments(filterAccount: String) -> [String] {
        [
            "ldapsearch", "-LLL", "-N", "-Y", "GSSAPI", "-H", "ldap://\(domain.controller)",
            "-b", "CN=Managed Service Accounts,\(domain.domainDN)", "(sAMAccountName=\(filterAccount))",
            "msDS-ManagedPassword", "msDS-KeyVersionNumber",
        ]
    }

    func peers(controllerResolves: Bool) async throws {
        if controllerResolves {
            let value = try await measure { _ in try await self.chainSample() }
            if case let .timed(samples, _) = value { table.chainMedian = samples.median }
            table.add(
                "peers and leases", "command chain: `kinit` (password) → `ldapsearch -Y GSSAPI` → `ccgd-bench derive` → `kinit -k`", value,
                note: "what credentials-fetcher runs per lease; step 3 is our stand-in for its .NET helper (KerberosKeys + Kerberos modules, a Swift process)",
                ratio: true)
        } else {
            table.add("peers and leases", "command chain", .skipped, note: "the DC's name does not resolve (see the notes)")
        }
        try await gmsad(controllerResolves: controllerResolves)
        let value = try await measure { _ in
            let keytab = self.work + "/ccgctl.keytab", ccache = self.work + "/ccgctl.ccache"
            try? FileManager.default.removeItem(atPath: keytab)
            try? FileManager.default.removeItem(atPath: ccache)
            return try await self.timed {
                try self.tool(
                    [
                        self.options.binaries + "/ccgctl", "fetch", "--config", self.domain.configurationFile,
                        "--credspec", "\(self.domain.credSpecDirectory)/\(self.account).json", "--keytab", keytab, "--ccache", ccache,
                    ],
                    environment: Compare.cleanEnvironment)
            }
        }
        table.add("peers and leases", "`ccgctl fetch` (one process: plug-in, login, sealed search, keys, gMSA TGT)", value, ratio: true)
    }

    /// One run of the chain, each step a process of its own, into fresh ccaches and keytab.
    func chainSample() async throws -> Duration {
        let readerCache = "FILE:\(work)/chain-reader.ccache", gmsaCache = "FILE:\(work)/chain-gmsa.ccache"
        for path in [readerCache, gmsaCache].map({ String($0.dropFirst(5)) }) + [chainLDIF, chainKeytab] {
            try? FileManager.default.removeItem(atPath: path)
        }
        let reader = toolEnvironment.merging(["KRB5CCNAME": readerCache]) { $1 }
        return try await timed {
            try tool(["kinit", readerPrincipal], environment: reader, input: passwordLine)
            try tool(ldapsearchArguments(filterAccount: "\(account)$"), environment: reader, stdout: chainLDIF)
            try tool([
                bench, "derive", "--ldif", chainLDIF, "--account", account, "--realm", domain.realm,
                "--dns-domain", domain.dnsDomain, "--keytab", chainKeytab,
            ])
            try tool(["kinit", "-k", "-t", chainKeytab, principal], environment: toolEnvironment.merging(["KRB5CCNAME": gmsaCache]) { $1 })
        }
    }
}
