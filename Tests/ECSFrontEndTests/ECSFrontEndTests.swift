import CCGPlugin
import CredSpec
import CredentialsFetcherWire
@testable import ECSFrontEnd
import CredentialsFetcherProtocol
import GRPCUnaryServer
import NIOCore
import SocketAPI
import SwiftProtobuf
import XCTest
import LeaseService
import Observability

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
        let aws =
            #", "hostAccountConfig": {"PortableCcgVersion": "1", "PluginGUID": "{859E1386-BDB4-49E8-85C7-3070B13920E1}", "PluginInput": {"credentialArn": "arn:aws:secretsmanager:x"}}"#
        for host in ["", aws] {
            let spec = try ECSCredentialSpec.parse(credSpec.replacingOccurrences(of: "%@", with: host), pluginInput: input)
            XCTAssertEqual(spec.hostAccountConfig?.pluginGUID, ProvidedCredentials.guid)
            XCTAssertEqual(spec.hostAccountConfig?.pluginInput.text, input)
            XCTAssertEqual(spec.accounts, ["WebApp01"])
        }
    }

    /// CredSpecs parsed before are served from memory, but never with another caller's input, and
    /// never for a domain-joined lease when parsed for a non-domain-joined one.
    func testARememberedCredSpecKeepsEachCallersPluginInput() throws {
        let text = credSpec.replacingOccurrences(of: "%@", with: "")
        let first = ProvidedCredentials.input(uid: 0, domain: "contoso.test", username: "StandardUser01")
        let second = ProvidedCredentials.input(uid: 1000, domain: "contoso.test", username: "Other")
        for _ in 0..<2 {
            XCTAssertEqual(try ECSCredentialSpec.parse(text, pluginInput: first).hostAccountConfig?.pluginInput.text, first)
            XCTAssertEqual(try ECSCredentialSpec.parse(text, pluginInput: second).hostAccountConfig?.pluginInput.text, second)
            XCTAssertNil(try ECSCredentialSpec.parseDomainJoined(text).hostAccountConfig)
        }
        let cache = ParsedCredentialSpecs()
        let spec = try ECSCredentialSpec.parse(text, pluginInput: first)
        for index in 0...ParsedCredentialSpecs.capacity { cache.store(spec, text: "\(index)", input: nil) }
        XCTAssertNil(cache.spec("0", input: nil), "the oldest goes first")
        XCTAssertNotNil(cache.spec("\(ParsedCredentialSpecs.capacity)", input: nil))
        XCTAssertNil(cache.spec("1", input: first), "another input is another entry")
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

    /// The wire format is the contract: field numbers as credentials-fetcher's, and every message
    /// read and written as swift-protobuf's generated code (another implementation) does.
    func testMessagesUseTheContractsFieldNumbers() throws {
        var request = Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseRequest()
        request.credspecContents = ["a"]
        request.username = "u"
        request.password = "p"
        request.domain = "d"
        // Tag bytes: (field number << 3) | 2 (length-delimited).
        XCTAssertEqual(try [UInt8](request.serializedBytes() as [UInt8]), [0x0A, 1, 0x61, 0x12, 1, 0x75, 0x1A, 1, 0x70, 0x22, 1, 0x64])
        let response = DeleteKerberosLeaseResponse(leaseID: "x", deletedKerberosFilePaths: ["y"])
        XCTAssertEqual(response.encoded(), [0x0A, 1, 0x78, 0x12, 1, 0x79])
        let read = try Credentialsfetcher_DeleteKerberosLeaseResponse(serializedBytes: response.encoded())
        XCTAssertEqual(read.leaseID, "x")
        XCTAssertEqual(read.deletedKerberosFilePaths, ["y"])

        let created = CreateKerberosLeaseResponse(leaseID: "abcdefghij", createdKerberosFilePaths: ["/var/credentials-fetcher/krbdir/abcdefghij/WebApp01", ""])
        let generated = try Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseResponse(serializedBytes: created.encoded())
        XCTAssertEqual(generated.leaseID, created.leaseID)
        XCTAssertEqual(generated.createdKerberosFilePaths, created.createdKerberosFilePaths, "an empty element of a repeated field stays")
        XCTAssertEqual(created.encoded(), try generated.serializedBytes() as [UInt8])
        var renewed = Credentialsfetcher_RenewNonDomainJoinedKerberosLeaseResponse()
        renewed.renewedKerberosFilePaths = ["a", "b"]
        XCTAssertEqual(RenewNonDomainJoinedKerberosLeaseResponse(renewedKerberosFilePaths: ["a", "b"]).encoded(), try renewed.serializedBytes() as [UInt8])
        XCTAssertEqual(HealthCheckResponse(status: "OK").encoded(), [0x0A, 2, 0x4F, 0x4B])
        XCTAssertEqual(HealthCheckResponse().encoded(), [], "proto3 leaves an empty string out")

        var delete = Credentialsfetcher_DeleteKerberosLeaseRequest()
        delete.leaseID = "abcdefghij"
        XCTAssertEqual(try DeleteKerberosLeaseRequest(decoding: try delete.serializedBytes()).leaseID, "abcdefghij")
        var add = Credentialsfetcher_CreateKerberosLeaseRequest()
        add.credspecContents = ["{}", "{\"a\": 1}"]
        XCTAssertEqual(try CreateKerberosLeaseRequest(decoding: try add.serializedBytes()).credspecContents, add.credspecContents)
    }

    /// A reader skips fields it does not know, whatever their wire type, and refuses what is not
    /// a message: a field past the end, a truncated varint, a string that is not UTF-8.
    func testUnknownFieldsAreSkippedAndBrokenMessagesRefused() throws {
        // field 9 varint 300, field 10 fixed64, field 11 fixed32, then lease_id "ab".
        let bytes: [UInt8] = [0x48, 0xAC, 0x02, 0x51, 1, 2, 3, 4, 5, 6, 7, 8, 0x5D, 1, 2, 3, 4, 0x0A, 2, 0x61, 0x62]
        XCTAssertEqual(try DeleteKerberosLeaseRequest(decoding: bytes).leaseID, "ab")
        for broken: [UInt8] in [[0x0A, 5, 0x61], [0x0A, 0x80], [0x0A, 2, 0xC3, 0x28], [0x0B, 0], [0x02, 0]] {
            XCTAssertThrowsError(try DeleteKerberosLeaseRequest(decoding: broken), "\(broken)")
        }
        XCTAssertThrowsError(try ECSRoutes.read(Array([0x0A, 5, 0x61])) as DeleteKerberosLeaseRequest) { error in
            XCTAssertEqual((error as? RPCStatus)?.code, .invalidArgument)
        }
    }

    /// gRPC's framing of one message (a flag byte, a big-endian length) and its deadlines.
    func testOneUncompressedMessageIsAUnaryRequestAndTimeoutsHaveTheirUnits() throws {
        var buffer = ByteBuffer(bytes: [0, 0, 0, 0, 2, 0x0A, 0])
        XCTAssertEqual(try GRPCStreamHandler.message(in: buffer), [0x0A, 0])
        buffer = ByteBuffer(bytes: [1, 0, 0, 0, 2, 0x0A, 0])
        XCTAssertThrowsError(try GRPCStreamHandler.message(in: buffer)) { XCTAssertEqual(($0 as? RPCStatus)?.code, .unimplemented, "compressed") }
        for bad: [UInt8] in [[], [0, 0, 0, 0, 3, 0x0A, 0], [0, 0, 0, 0, 1, 0x0A, 0]] {
            XCTAssertThrowsError(try GRPCStreamHandler.message(in: ByteBuffer(bytes: bad)), "\(bad)")
        }
        XCTAssertEqual(GRPCStreamHandler.timeout("100m"), .milliseconds(100))
        XCTAssertEqual(GRPCStreamHandler.timeout("2S"), .seconds(2))
        XCTAssertEqual(GRPCStreamHandler.timeout("1H"), .hours(1))
        XCTAssertNil(GRPCStreamHandler.timeout("123456789S"), "at most 8 digits")
        XCTAssertNil(GRPCStreamHandler.timeout("5x"))
        XCTAssertEqual(RPCStatus(code: .notFound, message: "no lease 50% gone\nä").encodedMessage, "no lease 50%25 gone%0A%C3%A4")
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

    /// The server reads the contract's messages (as any client writes them) with the password in
    /// wiped storage, never shown in a description.
    func testPasswordRequestsDecodeTheContractsBytesIntoWipedStorage() throws {
        var create = Credentialsfetcher_CreateNonDomainJoinedKerberosLeaseRequest()
        create.credspecContents = ["a", "b"]
        create.username = "StandardUser01"
        create.password = "pä55 word"
        create.domain = "contoso.test"
        let secret = try CreateNonDomainJoinedKerberosLeaseRequest(decoding: try create.serializedBytes())
        XCTAssertEqual(secret.credspecContents, ["a", "b"])
        XCTAssertEqual(secret.username, "StandardUser01")
        XCTAssertEqual(secret.password, Password("pä55 word"))
        XCTAssertEqual(secret.domain, "contoso.test")
        XCTAssertFalse("\(secret)".contains("55 word"))
        XCTAssertFalse(String(reflecting: secret).contains("55 word"))

        var renew = Credentialsfetcher_RenewNonDomainJoinedKerberosLeaseRequest()
        renew.username = "u"
        renew.password = "p"
        renew.domain = "d"
        let renewal = try RenewNonDomainJoinedKerberosLeaseRequest(decoding: try renew.serializedBytes())
        XCTAssertEqual(renewal.username, "u")
        XCTAssertEqual(renewal.password, Password("p"))
        XCTAssertEqual(renewal.domain, "d")
    }

    /// `old:new` is a rotation from old to new (AD forbids ':' in a user name); anything else
    /// with a ':' is refused without echoing it (a secret mistyped as user:password).
    func testAUsernameWithAColonIsARotationFromTheFirstUserToTheSecond() throws {
        XCTAssertEqual(try PortableUserName(parsing: "blue"), PortableUserName(current: "blue", former: nil))
        XCTAssertEqual(try PortableUserName(parsing: "blue:green"), PortableUserName(current: "green", former: "blue"))
        XCTAssertEqual(try PortableUserName(parsing: "Blue:blue"), PortableUserName(current: "blue", former: nil), "one user, in two cases")
        for bad in [":green", "blue:", "blue:pa55:word", ":"] {
            XCTAssertThrowsError(try PortableUserName(parsing: bad), bad) { error in
                let status = error as? RPCStatus
                XCTAssertEqual(status?.code, .invalidArgument, bad)
                XCTAssertTrue(status?.message.hasPrefix("username is neither a user name nor OLD:NEW") ?? false, "\(error)")
                XCTAssertFalse(["blue", "green", "pa55"].contains { status?.message.contains($0) ?? true }, "the value is not echoed: \(error)")
            }
        }
        XCTAssertThrowsError(try PortableUserName(parsing: "")) { XCTAssertEqual(($0 as? RPCStatus)?.code, .invalidArgument) }
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
