import ContainerRequest
import CredSpec
import Foundation
import JSON
import LeaseDocuments
@testable import SocketAPI
import XCTest
@testable import DomainModel
@testable import LeaseService

/// A lease's answer is written by the CredSpec module's JSON writer, not Foundation's encoder:
/// held here to what Foundation's encoder writes for the same document, field for field.
final class LeaseDocumentJSONTests: XCTestCase {
    private func lease(container: String?, name: String?, creator: UInt32?, refreshed: Bool) throws -> Lease {
        let spec = try CredentialSpec(jsonData: Data(RestoredLeasesServer.spec.utf8))
        var lease = Lease(
            id: LeaseID(), credentialSpec: spec, credentialSpecName: name, owner: LeaseOwner(uid: 100_000, gid: 4_294_967_294),
            fileAccess: .owner, containerID: container, mountPath: "/var/run/ccgd/", createdAt: Date(timeIntervalSince1970: 1_764_669_600.123456),
            creator: creator ?? 0, creatorGID: creator, directory: "/run/ccgd/leases/l_x",
            holder: refreshed ? LeaseHolder(pid: 4242, startTime: 987_654_321, bootID: "1dddd3cd-cc88-4745-a1e7-1e66483a77e9") : nil,
            expiresAt: refreshed ? Date(timeIntervalSince1970: 1_764_709_200.5) : nil, onBehalfOfOwner: refreshed, frontEnd: "api",
            identities: [], ticketExpiresAt: nil, refreshAt: nil)
        lease.identities = [
            LeaseIdentity(
                account: "WebApp01$", realm: "CONTOSO.TEST", principal: "WebApp01$@CONTOSO.TEST", ccache: "krb5cc", kvno: 3,
                enctypes: ["aes256-cts-hmac-sha1-96"], servicePrincipalNames: ["host/WebApp01", "http/web.contoso.test"]),
            LeaseIdentity(
                account: "Ünïcode$", realm: "CONTOSO.TEST", principal: "Ünïcode$@CONTOSO.TEST", ccache: "krb5cc-%C3%9Cn", kvno: 4_294_967_295,
                enctypes: [], servicePrincipalNames: []),
        ]
        if refreshed {
            lease.ticketExpiresAt = Date(timeIntervalSince1970: 1_764_705_600)
            lease.refreshAt = Date(timeIntervalSince1970: 1_764_698_400.9)
            lease.kubernetesPod = KubernetesPod(namespace: "webapp", name: "web-1")
        }
        return lease
    }

    private func parsed(_ bytes: [UInt8]) throws -> NSDictionary {
        try XCTUnwrap(JSONSerialization.jsonObject(with: Data(bytes)) as? NSDictionary)
    }

    func testLeaseAnswerHasFoundationsFieldsAndValues() throws {
        for (container, name, creator, refreshed) in [
            ("c0ffee", "WebApp01", UInt32(0), true),
            (nil, nil, nil, false),
            ("quote\" back\\slash /slash \u{01}\n\t é 🙂", "Web App", 1000, true),
        ] {
            let document = APIDocuments.LeaseDocument(try lease(container: container, name: name, creator: creator, refreshed: refreshed))
            let fast = APIResponse.lease(.created, document)
            let foundation = APIResponse.json(.created, document)
            XCTAssertEqual(fast.status, .created)
            XCTAssertEqual(try parsed(fast.body), try parsed(foundation.body))
            XCTAssertEqual(fast.body.last, 0x0A)
            if refreshed && container != nil {
                // Every field is written (a field added to LeaseDocument but not to its `json` fails here).
                XCTAssertEqual(try parsed(fast.body).count, Mirror(reflecting: document).children.count)
            }
            // ccgctl reads it with the same Codable definitions.
            let decoded = try JSONDecoder.iso8601.decode(APIDocuments.LeaseDocument.self, from: Data(fast.body))
            XCTAssertEqual(decoded.containerId, container)
            XCTAssertEqual(decoded.identities.count, 2)
        }
    }

    func testTheHooksReaderFindsWhatTheServerWrites() throws {
        let document = APIDocuments.LeaseDocument(try lease(container: "c0ffee", name: "WebApp01", creator: 0, refreshed: true))
        let answer = try XCTUnwrap(LeaseAnswer(json: JSONValue(parsing: APIResponse.lease(.created, document).body)))

        XCTAssertEqual(answer.id, document.id)
        XCTAssertEqual(answer.directory, "/run/ccgd/leases/l_x")
        XCTAssertEqual(answer.krb5ConfName, "krb5.conf")
        XCTAssertEqual(answer.mountTarget, "/var/run/ccgd/")
        XCTAssertEqual(answer.hostname, document.hostname)
        let error = APIResponse.error(.badRequest, "mountPath must be absolute.", field: "mountPath")
        XCTAssertEqual(APIErrorAnswer(json: try JSONValue(parsing: error.body))?.field, "mountPath")
    }
}

private extension JSONDecoder {
    static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}
