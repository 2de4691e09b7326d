import ContainerRequest
import JSON
import LeaseDocuments
import XCTest

/// The lease request as ccgctl and the hook write it and ccgd reads it: one definition, so what
/// one writes the other reads back field for field.
final class LeaseRequestBodyTests: XCTestCase {
    private struct NoCheck: Error {}

    private func read(_ text: String) throws -> LeaseRequestBody {
        try LeaseRequestBody(json: JSONValue(parsing: text)) { (_: JSONValue) throws(NoCheck) in }
    }

    private func problem(_ text: String) throws -> LeaseRequestBody.Problem? {
        let json = try JSONValue(parsing: text)
        do throws(LeaseRequestBodyFailure<NoCheck>) {
            _ = try LeaseRequestBody(json: json) { (_: JSONValue) throws(NoCheck) in }
            return nil
        } catch {
            guard case let .body(problem) = error else { return nil }
            return problem
        }
    }

    func testTheHooksRequestIsWrittenInItsFieldOrderAndReadsBackEqual() throws {
        let request = LeaseRequestBody(
            source: .named("WebApp01"), ownerUID: 1000, ownerGID: 100, containerID: "c0ffee", mountPath: "/run/id",
            holder: .init(pid: 42, startTime: 7), onBehalfOfOwner: true)

        XCTAssertEqual(
            request.json.compactText,
            #"{"credentialSpecName":"WebApp01","owner":{"uid":1000,"gid":100},"containerId":"c0ffee","holder":{"pid":42,"startTime":7},"onBehalfOfOwner":true,"mountPath":"/run/id"}"#
        )
        XCTAssertEqual(try read(request.json.compactText), request)
    }

    func testAKubernetesPodIsWrittenLastAndReadBack() throws {
        let request = LeaseRequestBody(
            source: .named("WebApp01"), ownerUID: 0, ownerGID: 0, containerID: "c0ffee", holder: .init(pid: 42), onBehalfOfOwner: true,
            kubernetesPod: KubernetesPod(namespace: "webapp", name: "web-1"))
        XCTAssertEqual(
            request.json.compactText,
            #"{"credentialSpecName":"WebApp01","owner":{"uid":0,"gid":0},"containerId":"c0ffee","holder":{"pid":42},"onBehalfOfOwner":true,"kubernetesPod":"webapp/web-1"}"#
        )
        XCTAssertEqual(try read(request.json.compactText), request)
        XCTAssertNil(try read(#"{"credentialSpecName": "a"}"#).kubernetesPod, "absent: not a pod's container")
        XCTAssertEqual(
            try read(#"{"credentialSpecName": "a", "kubernetesPod": "unknown/unknown"}"#).kubernetesPod,
            KubernetesPod(namespace: "unknown", name: "unknown"))
    }

    func testAKubernetesPodThatIsNotNamespaceSlashNameIsRefused() throws {
        for pod in [#""webapp""#, #""webapp/web-1/x""#, #""/web-1""#, #""webapp/""#, #""web app/web-1""#, "5", "null", #""a/b\n""#] {
            XCTAssertEqual(
                try problem(#"{"credentialSpecName": "a", "kubernetesPod": "# + pod + "}"),
                LeaseRequestBody.Problem(
                    "kubernetesPod must be the pod's namespace and name as namespace/name, each of letters, digits, - and . only (unknown when not known).",
                    field: "kubernetesPod"), pod)
        }
    }

    func testAnInlineCredSpecIsHandedToTheCheckBeforeTheOtherFieldsAreRead() throws {
        struct Refused: Error, Equatable {}
        let body = try JSONValue(parsing: #"{"credentialSpec": {"a": 1}, "owner": 5}"#)
        do throws(LeaseRequestBodyFailure<Refused>) {
            _ = try LeaseRequestBody(json: body) { (_: JSONValue) throws(Refused) in throw Refused() }
            XCTFail("accepted")
        } catch {
            guard case .credentialSpec = error else { return XCTFail("\(error)") }
        }
    }

    func testEachShapeProblemNamesItsField() throws {
        XCTAssertEqual(try problem(#"{"credentialSpecName": "a", "colour": 1}"#)?.field, "colour")
        XCTAssertEqual(
            try problem(#"{}"#)?.message,
            "give exactly one of credentialSpec (the CredSpec itself) and credentialSpecName (a file in the CredSpec directory).")
        XCTAssertEqual(
            try problem(#"{"credentialSpecName": "a", "owner": {"uid": 4294967295}}"#),
            LeaseRequestBody.Problem("owner.uid must be a whole number from 0 to 4294967294.", field: "owner.uid"))
        XCTAssertEqual(try problem(#"{"credentialSpecName": "a", "mountPath": "/a/../b"}"#)?.field, "mountPath")
        XCTAssertEqual(try problem(#"{"credentialSpecName": "a", "holder": {"pid": 0}}"#)?.field, "holder.pid")
        XCTAssertEqual(try problem(#"{"credentialSpecName": "a", "expiresIn": 0}"#)?.field, "expiresIn")
        XCTAssertEqual(try problem(#"[]"#)?.message, "the body must be a JSON object.")
    }

    func testAnswerFieldsAndErrorsAreRead() throws {
        let lease = try JSONValue(
            parsing: #"{"id": "l_1", "directory": "/run/ccgd/leases/l_1", "files": {"krb5Conf": "krb5.conf"}, "mount": {"target": "/var/run/ccgd"}}"#)
        XCTAssertEqual(LeaseAnswer(json: lease)?.mountTarget, "/var/run/ccgd")
        XCTAssertEqual(LeaseAnswer(json: lease)?.hostname, "")
        XCTAssertNil(LeaseAnswer(json: try JSONValue(parsing: #"{"id": "l_1", "directory": "relative"}"#)))
        XCTAssertEqual(LeaseAnswer.ids(inList: try JSONValue(parsing: #"{"leases": [{"id": "a"}, {"id": "b"}]}"#)), ["a", "b"])
        XCTAssertEqual(APIErrorAnswer(json: try JSONValue(parsing: #"{"error": {"code": "not_found", "message": "no lease x."}}"#))?.code, "not_found")
    }
}
