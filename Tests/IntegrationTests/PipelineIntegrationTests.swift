import CCGPlugin
import CredSpec
import Directory
import DurableFiles
import FilePlugin
import Foundation
import Kerberos
import KerberosKeys
import TestSupport
import XCTest
import DirectoryPipeline
import DomainModel
import PluginHost

/// The whole pipeline against the Samba DC; the DC's exported keys and its KDC are the proof.
final class PipelineIntegrationTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = try temporaryDirectory("pipeline")
    }

    private func spec(_ domain: TestDomain, _ account: String = "WebApp01") throws -> CredentialSpec {
        try CredentialSpec.read(contentsOf: URL(fileURLWithPath: "\(domain.credSpecDirectory)/\(account).json"))
    }

    /// The pipeline as ccgd runs it: the CredSpec's PluginGUID picks the plug-in (the built-in
    /// file plug-in, reading `credentials` or the CredSpec's PluginInput), then the directory.
    private func fetch(
        _ domain: TestDomain, spec: CredentialSpec? = nil, credentials: String? = nil,
        settings: DomainSettings? = nil, credentialsDirectory: String? = nil
    ) async throws -> ManagedAccountFetcher.Result {
        let spec = try spec ?? self.spec(domain)
        let registry = PluginRegistry.builtIn(credentialsDirectory: credentialsDirectory ?? domain.credentialsDirectory)
        let credential: DomainCredential
        if let credentials {
            credential = try await registry.credentials(guid: try XCTUnwrap(spec.hostAccountConfig?.pluginGUID), pluginInput: credentials)
        } else {
            credential = try await registry.credentials(for: spec)
        }
        let fetcher = ManagedAccountFetcher(settings: settings ?? DomainSettings(controllers: [domain.controller]))
        return try fetcher.fetch(spec, credential: credential)
    }

    private func fetchError(_ body: () async throws -> Void) async -> Error? {
        do { try await body(); return nil } catch { return error }
    }

    private func hex(_ key: KerberosKey) -> String {
        key.bytes.withUnsafeBytes { $0.map { String(format: "%02x", $0) }.joined() }
    }

    func testDerivedKeysEqualTheDomainControllersOwnKeysByteForByte() async throws {
        let domain = try TestDomain.require()
        let accountResult = try await fetch(domain)
        let account = try XCTUnwrap(accountResult.accounts.first)
        let oracle = try DomainControllerKeys(account: "WebApp01$", domain: domain)
        let ours = Set(
            account.currentKeys.map {
                DomainControllerKeys.Key(kvno: account.keyVersionNumber, enctype: $0.encryptionType.name, hex: hex($0))
            })
        XCTAssertEqual(account.encryptionTypes, [.aes256CtsHmacSha196, .aes128CtsHmacSha196, .rc4Hmac])
        XCTAssertEqual(ours.count, 3)
        XCTAssertTrue(
            ours.isSubset(of: oracle.keys), "ours \(ours.map { "\($0.kvno) \($0.enctype)" }) vs the DC's \(oracle.keys.map { "\($0.kvno) \($0.enctype)" })")
    }

    func testSaltEqualsTheDomainControllersVirtualKerberosSalt() async throws {
        let domain = try TestDomain.require()
        let accountResult = try await fetch(domain)
        let account = try XCTUnwrap(accountResult.accounts.first)
        let output = try domain.run(["samba-tool", "user", "getpassword", "WebApp01$", "--attributes=virtualKerberosSalt", "-s", domain.smbConf])
        XCTAssertTrue(output.contains("virtualKerberosSalt: \(account.salt.value)\n"), output)
        XCTAssertEqual(account.salt.value, "CONTOSO.TESThostwebapp01.contoso.test")
    }

    func testKDCIssuesTicketsWithTheKeytabWeWrote() async throws {
        let domain = try TestDomain.require()
        let result = try await fetch(domain)
        let keytab = directory + "/krb5.keytab"
        try CredentialFiles.writeKeytab(for: result.accounts, to: keytab, ownership: .privateToCaller)
        let cache = ["KRB5CCNAME": "FILE:\(directory)/kinit.cc"]
        try domain.run(["kinit", "-k", "-t", keytab, "WebApp01$@\(domain.realm)"], environment: cache)
        XCTAssertTrue(try domain.run(["klist"], environment: cache).contains("Default principal: WebApp01$@\(domain.realm)"))
        // An acceptor's view: the service ticket for the gMSA's SPN decrypts with our keytab.
        let kvno = try domain.run(["kvno", "-k", keytab, "host/webapp01.\(domain.dnsDomain)@\(domain.realm)"], environment: cache)
        XCTAssertTrue(kvno.contains("keytab entry valid"), kvno)
    }

    func testTicketCacheWeWroteGetsAServiceTicket() async throws {
        let domain = try TestDomain.require()
        let accountResult = try await fetch(domain)
        let account = try XCTUnwrap(accountResult.accounts.first)
        let path = directory + "/krb5cc"
        let times = try CredentialFiles.writeTicketCache(for: account, to: path, ownership: .privateToCaller)
        XCTAssertGreaterThan(times.endTime, Date().addingTimeInterval(3600))
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int
        XCTAssertEqual(mode, 0o600)
        let output = try domain.run(["kvno", "host/WebApp01@\(domain.realm)"], environment: ["KRB5CCNAME": "FILE:\(path)"])
        XCTAssertTrue(output.contains("kvno = "), output)
    }

    func testKeytabHoldsEveryPrincipalOfEveryAccount() async throws {
        let domain = try TestDomain.require()
        let first = try spec(domain, "WebApp01"), second = try spec(domain, "WebApp02")
        let accounts = first.accounts + second.accounts
        let fetcher = ManagedAccountFetcher(settings: DomainSettings(controllers: [domain.controller]))
        let credential = try FilePlugin(directory: domain.credentialsDirectory).read(pluginInput: domain.allowedCredentialsFile)
        let result = try fetcher.fetch(
            accounts: accounts, realm: first.realm, dnsDomain: first.dnsDomain,
            netBiosName: first.domainJoinConfig.netBiosName, credential: credential)
        XCTAssertEqual(result.accounts.map(\.samAccountName), ["WebApp01$", "WebApp02$"])
        let keytab = directory + "/krb5.keytab"
        try CredentialFiles.writeKeytab(for: result.accounts, to: keytab, ownership: .privateToCaller)
        let listing = try domain.run(["klist", "-k", keytab])
        for name in ["WebApp01$", "host/WebApp01", "host/webapp01.contoso.test", "WebApp02$", "host/WebApp02", "host/webapp02.contoso.test"] {
            XCTAssertTrue(listing.contains(" \(name)@\(domain.realm)"), "\(name) missing from\n\(listing)")
        }
        try domain.run(["kinit", "-k", "-t", keytab, "WebApp02$@\(domain.realm)"], environment: ["KRB5CCNAME": "FILE:\(directory)/cc2"])
    }

    func testLDAPSFetchDerivesTheSameKeysAsTheSealedBind() async throws {
        let domain = try TestDomain.require()
        let sealedResult = try await fetch(domain)
        let sealed = try XCTUnwrap(sealedResult.accounts.first)
        let overTLSResult = try await fetch(domain, settings: DomainSettings(controllers: [domain.controller], protection: .ldaps(caFile: domain.caFile)))
        let overTLS = try XCTUnwrap(overTLSResult.accounts.first)
        XCTAssertEqual(sealed.currentKeys, overTLS.currentKeys)
        XCTAssertEqual(sealed.keyVersionNumber, overTLS.keyVersionNumber)
    }

    func testUnreachableFirstControllerFallsBackToTheNext() async throws {
        let domain = try TestDomain.require()
        let dead = DomainController(hostName: domain.controller.hostName, address: "127.0.0.1", ldapPort: 1)
        let result = try await fetch(domain, settings: DomainSettings(controllers: [dead, domain.controller]))
        XCTAssertEqual(result.controller, domain.controller)
    }

    func testNoReachableControllerIsDirectoryUnreachable() async throws {
        let domain = try TestDomain.require()
        let dead = DomainController(hostName: domain.controller.hostName, address: "127.0.0.1", ldapPort: 1)
        do {
            let error = await fetchError { _ = try await self.fetch(domain, settings: DomainSettings(controllers: [dead])) } as? AccountFetchError
            XCTAssertEqual(error?.code, .directoryUnreachable)
            XCTAssertTrue(
                error?.description.contains(
                    "no domain controller of CONTOSO.TEST could be reached over LDAP: dc1.contoso.test (127.0.0.1): Connection refused on port 1; check the DCs' names and addresses ([domain \"CONTOSO.TEST\"] controllers or DNS)"
                ) ?? false, "\(String(describing: error))")
        }
    }

    func testOutsiderGetsDirectoryAccessDenied() async throws {
        let domain = try TestDomain.require()
        do {
            let error = await fetchError { _ = try await self.fetch(domain, credentials: domain.outsiderCredentialsFile) } as? AccountFetchError
            XCTAssertEqual(error?.code, .directoryAccessDenied)
            XCTAssertEqual(
                error?.description,
                "OutsiderUser01@CONTOSO.TEST is not allowed to retrieve the managed password of WebApp01$ (check PrincipalsAllowedToRetrieveManagedPassword).")
        }
    }

    func testWrongPortablePasswordIsAuthFailed() async throws {
        let domain = try TestDomain.require()
        let path = directory + "/wrong.cred"
        try AtomicFile.write(Array("CONTOSO\\StandardUser01:wrong-password".utf8), to: path, ownership: .privateToCaller)
        do {
            let error = await fetchError { _ = try await self.fetch(domain, credentials: path, credentialsDirectory: self.directory) } as? AccountFetchError
            XCTAssertEqual(error?.code, .authFailed)
            XCTAssertTrue(
                error?.description.hasPrefix("portable user StandardUser01@CONTOSO.TEST could not log in: cannot obtain a ticket") ?? false,
                "\(String(describing: error))")
            XCTAssertTrue(error?.description.contains("check the credentials") ?? false)
            XCTAssertFalse(error?.description.contains("wrong-password") ?? true)
        }
    }

    func testUnknownAccountIsAccountNotFound() async throws {
        let domain = try TestDomain.require()
        let base = try spec(domain)
        let fetcher = ManagedAccountFetcher(settings: DomainSettings(controllers: [domain.controller]))
        let credential = try FilePlugin(directory: domain.credentialsDirectory).read(pluginInput: domain.allowedCredentialsFile)
        XCTAssertThrowsError(
            try fetcher.fetch(
                accounts: ["Missing01"], realm: base.realm, dnsDomain: base.dnsDomain,
                netBiosName: "CONTOSO", credential: credential)
        ) { error in
            let error = error as? AccountFetchError
            XCTAssertEqual(error?.code, .accountNotFound)
            XCTAssertEqual(
                error?.description, "no group managed service account Missing01$ under DC=contoso,DC=test; check the CredSpec's account name and domain.")
        }
    }
}
