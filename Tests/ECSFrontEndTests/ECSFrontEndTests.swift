import CCGPlugin
import CredSpec
import CredentialGuard
@testable import ECSFrontEnd
import GRPCCore
import SocketAPI
import SwiftProtobuf
import XCTest

final class ECSFrontEndTests: XCTestCase {
    private let credSpec = """
        {"CmsPlugins": ["ActiveDirectory"],
         "DomainJoinConfig": {"Sid": "S-1-5-21-1-2-3", "MachineAccountName": "WebApp01", "Guid": "8c7f9b29-5ccb-4535-996a-e7f584e9119d",
                              "DnsTreeName": "contoso.test", "DnsName": "contoso.test", "NetBiosName": "CONTOSO"},
         "ActiveDirectoryConfig": {"GroupManagedServiceAccounts": [{"Name": "WebApp01", "Scope": "contoso.test"}]%@}}
        """

    /// The agent's CredSpecs name its own plug-in (or none): they are pointed at the provided credentials.
    func testACredSpecIsPointedAtTheProvidedCredentialsWhateverItsHostAccountConfig() throws {
        let input = ProvidedCredentials.input(uid: 0, domain: "contoso.test", username: "StandardUser01")
        let aws = #", "hostAccountConfig": {"PortableCcgVersion": "1", "PluginGUID": "{859E1386-BDB4-49E8-85C7-3070B13920E1}", "PluginInput": {"credentialArn": "arn:aws:secretsmanager:x"}}"#
        for host in ["", aws] {
            let spec = try ECSCredentialSpec.parse(credSpec.replacingOccurrences(of: "%@", with: host), pluginInput: input)
            XCTAssertEqual(spec.hostAccountConfig?.pluginGUID, ProvidedCredentials.guid)
            XCTAssertEqual(spec.hostAccountConfig?.pluginInput.text, input)
            XCTAssertEqual(spec.accounts, ["WebApp01"])
        }
    }

    func testAnInvalidCredSpecNamesItsIndexAndJSONPath() {
        let bad = credSpec.replacingOccurrences(of: "%@", with: "").replacingOccurrences(of: #""DnsName": "contoso.test""#, with: #""DnsName": 7"#)
        do {
            _ = try ECSCredentialSpec.parse(bad, pluginInput: "x")
            XCTFail("accepted a CredSpec whose DnsName is a number")
        } catch {
            let status = ECSStatus.invalid(error, index: 2)
            XCTAssertEqual(status.code, .invalidArgument)
            XCTAssertTrue(status.message.hasPrefix("credspec_contents[2].DomainJoinConfig.DnsName: "), status.message)
        }
    }

    /// One caller's password never serves another's leases, and the latest one given wins.
    func testProvidedCredentialsAreKeptPerCallerUserAndDomain() async throws {
        let provided = ProvidedCredentials()
        provided.provide(uid: 0, domain: "contoso.test", username: "User", password: Password("first"))
        provided.provide(uid: 0, domain: "contoso.test", username: "User", password: Password("second"))
        let answer = try await provided.passwordCredentials(pluginInput: ProvidedCredentials.input(uid: 0, domain: "CONTOSO.TEST", username: "user"))
        XCTAssertEqual(answer.password, Password("second"))
        XCTAssertEqual(answer.username, "User")
        do {
            _ = try await provided.passwordCredentials(pluginInput: ProvidedCredentials.input(uid: 1000, domain: "contoso.test", username: "User"))
            XCTFail("another caller got the password")
        } catch let error as PluginError {
            XCTAssertEqual(error.code, .notFound)
            XCTAssertFalse("\(error)".contains("second"))
        }
    }

    func testErrorsMapToTheirGRPCCodes() {
        XCTAssertEqual(ECSStatus.code(.credspecInvalid), .invalidArgument)
        XCTAssertEqual(ECSStatus.code(.directoryUnreachable), .unavailable)
        XCTAssertEqual(ECSStatus.code(.directoryAccessDenied), .permissionDenied)
        XCTAssertEqual(ECSStatus.code(.notFound), .notFound)
        XCTAssertEqual(ECSStatus.code(.authFailed), .unauthenticated)
    }

    /// The wire format is the contract: field numbers as credentials-fetcher's.
    func testMessagesUseTheContractsFieldNumbers() throws {
        var request = Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseRequest()
        request.credspecContents = ["a"]
        request.username = "u"
        request.password = "p"
        request.domain = "d"
        // Tag bytes: (field number << 3) | 2 (length-delimited).
        XCTAssertEqual(try [UInt8](request.serializedBytes() as [UInt8]), [0x0A, 1, 0x61, 0x12, 1, 0x75, 0x1A, 1, 0x70, 0x22, 1, 0x64])
        var response = Credentialsfetcher_DeleteKerberosLeaseResponse()
        response.leaseID = "x"
        response.deletedKerberosFilePaths = ["y"]
        XCTAssertEqual(try [UInt8](response.serializedBytes() as [UInt8]), [0x0A, 1, 0x78, 0x12, 1, 0x79])
    }

    /// AddKerberosLease's CredSpecs lose any HostAccountConfig: the host's computer account reads them.
    func testADomainJoinedCredSpecHasNoHostAccountConfig() throws {
        let aws = #", "HostAccountConfig": {"PortableCcgVersion": "1", "PluginGUID": "{859E1386-BDB4-49E8-85C7-3070B13920E1}", "PluginInput": "x"}"#
        for host in ["", aws] {
            let spec = try ECSCredentialSpec.parseDomainJoined(credSpec.replacingOccurrences(of: "%@", with: host))
            XCTAssertNil(spec.hostAccountConfig)
            XCTAssertTrue(spec.isDomainJoined)
            XCTAssertEqual(spec.accounts, ["WebApp01"])
        }
    }

    func testAddKerberosLeaseOnAHostNotJoinedSaysWhatToConfigure() {
        let status = ECSStatus.notDomainJoined(realm: "CONTOSO.TEST")
        XCTAssertEqual(status.code, .failedPrecondition)
        for expected in ["[domain \"CONTOSO.TEST\"]", "mode = domain-joined", "machine-keytab", "AddNonDomainJoinedKerberosLease"] {
            XCTAssertTrue(status.message.contains(expected), status.message)
        }
    }

    /// Whether a password is the one held decides whether the KDC is asked before it is taken:
    /// known per caller, domain and user, the domain and user in any case.
    func testThePasswordHeldIsKnownPerCallerDomainAndUser() {
        let provided = ProvidedCredentials()
        XCTAssertFalse(provided.holds(Password("good"), uid: 0, domain: "contoso.test", username: "User"))
        provided.provide(uid: 0, domain: "contoso.test", username: "User", password: Password("good"))
        XCTAssertTrue(provided.holds(Password("good"), uid: 0, domain: "CONTOSO.TEST", username: "user"))
        XCTAssertFalse(provided.holds(Password("typo"), uid: 0, domain: "contoso.test", username: "User"))
        XCTAssertFalse(provided.holds(Password("good"), uid: 1000, domain: "contoso.test", username: "User"), "another caller's password")
        XCTAssertFalse(provided.holds(Password("good"), uid: 0, domain: "contoso.test", username: "Other"))
    }

    /// The server decodes the contract's messages (as any client encodes them) into wiped storage,
    /// and never writes the password back out.
    func testPasswordRequestsDecodeTheContractsBytesIntoWipedStorage() throws {
        var create = Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseRequest()
        create.credspecContents = ["a", "b"]
        create.username = "StandardUser01"
        create.password = "pä55 word"
        create.domain = "contoso.test"
        let secret = try SecretCreateNonDomainJoinedRequest(serializedBytes: try create.serializedBytes() as [UInt8])
        XCTAssertEqual(secret.credspecContents, ["a", "b"])
        XCTAssertEqual(secret.username, "StandardUser01")
        XCTAssertEqual(secret.password, Password("pä55 word"))
        XCTAssertEqual(secret.domain, "contoso.test")
        let written: [UInt8] = try secret.serializedBytes()
        XCTAssertNil(String(decoding: written, as: UTF8.self).range(of: "55 word"))
        XCTAssertFalse("\(secret)".contains("55 word"))

        var renew = Credentialsfetcher_RenewNonDomainJoinedKerberosLeaseRequest()
        renew.username = "u"
        renew.password = "p"
        renew.domain = "d"
        let renewal = try SecretRenewNonDomainJoinedRequest(serializedBytes: try renew.serializedBytes() as [UInt8])
        XCTAssertEqual(renewal.username, "u")
        XCTAssertEqual(renewal.password, Password("p"))
        XCTAssertEqual(renewal.domain, "d")
        XCTAssertEqual(try renewal.serializedBytes() as [UInt8], [0x0A, 1, 0x75, 0x1A, 1, 0x64])
    }

    /// `old:new` is a rotation from old to new (AD forbids ':' in a user name); anything else
    /// with a ':' is refused without echoing it (a secret mistyped as user:password).
    func testAUsernameWithAColonIsARotationFromTheFirstUserToTheSecond() throws {
        XCTAssertEqual(try PortableUserName(parsing: "blue"), PortableUserName(current: "blue", former: nil))
        XCTAssertEqual(try PortableUserName(parsing: "blue:green"), PortableUserName(current: "green", former: "blue"))
        XCTAssertEqual(try PortableUserName(parsing: "Blue:blue"), PortableUserName(current: "blue", former: nil), "one user, in two cases")
        for bad in [":green", "blue:", "blue:pa55:word", ":"] {
            XCTAssertThrowsError(try PortableUserName(parsing: bad), bad) { error in
                let status = error as? RPCError
                XCTAssertEqual(status?.code, .invalidArgument, bad)
                XCTAssertTrue(status?.message.hasPrefix("username is neither a user name nor OLD:NEW") ?? false, "\(error)")
                XCTAssertFalse(["blue", "green", "pa55"].contains { status?.message.contains($0) ?? true }, "the value is not echoed: \(error)")
            }
        }
        XCTAssertThrowsError(try PortableUserName(parsing: "")) { XCTAssertEqual(($0 as? RPCError)?.code, .invalidArgument) }
    }

    /// A rotation drops the former user's password: it no longer serves its input, and the
    /// count of held passwords (a metric) falls.
    func testAForgottenPasswordNoLongerServes() async throws {
        let provided = ProvidedCredentials()
        provided.provide(uid: 0, domain: "contoso.test", username: "Blue", password: Password("old"))
        provided.provide(uid: 0, domain: "contoso.test", username: "Green", password: Password("new"))
        XCTAssertEqual(provided.count, 2)
        XCTAssertTrue(provided.forget(uid: 0, domain: "CONTOSO.TEST", username: "blue"))
        XCTAssertFalse(provided.forget(uid: 0, domain: "contoso.test", username: "Blue"), "already dropped")
        XCTAssertEqual(provided.count, 1)
        XCTAssertTrue(Metrics.shared.rendered().contains("ccgd_ecs_portable_users 1"))
        do {
            _ = try await provided.passwordCredentials(pluginInput: ProvidedCredentials.input(uid: 0, domain: "contoso.test", username: "Blue"))
            XCTFail("a dropped password still served")
        } catch let error as PluginError {
            XCTAssertEqual(error.code, .notFound)
        }
        let green = try await provided.passwordCredentials(pluginInput: ProvidedCredentials.input(uid: 0, domain: "contoso.test", username: "Green"))
        XCTAssertEqual(green.password, Password("new"))
    }

    /// Unconfigured, an ECS lease is the caller's (the agent's) as before; configured, the ids given.
    func testTheOwnerOfAnECSLeaseIsTheCallerUnlessConfigured() {
        let agent = PeerCredentials(pid: 1, uid: 0, gid: 0)
        XCTAssertEqual(ECSLeaseOwnership().owner(for: agent), LeaseOwner(uid: 0, gid: 0))
        XCTAssertEqual(ECSLeaseOwnership(uid: 1000).owner(for: agent), LeaseOwner(uid: 1000, gid: 0))
        XCTAssertEqual(ECSLeaseOwnership(gid: 4000, access: .group).owner(for: agent), LeaseOwner(uid: 0, gid: 4000))
    }
}
