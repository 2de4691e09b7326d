import Configuration
import ContainerRequest
import CredSpec
import Foundation
@testable import SocketAPI
import TestSupport
import XCTest
@testable import DomainModel
@testable import LeaseService

/// The authorization model's decisions, without a server: who may create which lease, and who
/// sees it.
final class LeaseAuthorizationTests: XCTestCase {
    private let root = PeerCredentials(pid: 1, uid: 0, gid: 0)
    private let alice = PeerCredentials(pid: 2, uid: 1000, gid: 1000)
    private let bob = PeerCredentials(pid: 3, uid: 1001, gid: 1001)

    private let spec = try! CredSpecJSON().credentialSpec()

    private func policy(
        inline: Bool = false, callers: [ServiceConfiguration.Caller] = [],
        credSpecs: [ServiceConfiguration.CredSpecAccess] = []
    ) -> PeerPolicy {
        PeerPolicy(allowedUIDs: [0, 1000, 1001], allowedGIDs: [], allowInlineCredSpecs: inline, callers: callers, credSpecs: credSpecs)
    }

    private func named(_ name: String, owner: (UInt32, UInt32)) -> LeaseRequest {
        LeaseRequest(source: .named(name), owner: LeaseOwner(uid: owner.0, gid: owner.1))
    }

    func testNonRootPeerCreatesLeasesOwnedByItselfOnly() {
        let check = LeaseAuthorization(policy: policy(), peer: alice)
        XCTAssertNil(check.refusal(of: named("WebApp01", owner: (1000, 1000))))
        let uid = check.refusal(of: named("WebApp01", owner: (0, 1000)))
        XCTAssertEqual(uid?.code, .forbidden)
        XCTAssertEqual(uid?.field, "owner.uid")
        XCTAssertEqual(
            uid?.description,
            "uid 1000 may not create a lease owned by uid 0; leave owner out (you own it), or add 0 to owner-uids in [caller \"1000\"] of ccgd.conf.")
        XCTAssertEqual(check.refusal(of: named("WebApp01", owner: (1000, 0)))?.field, "owner.gid")
    }

    func testRootCreatesLeasesForAnyOwner() {
        XCTAssertNil(LeaseAuthorization(policy: policy(), peer: root).refusal(of: named("WebApp01", owner: (1000, 1001))))
    }

    func testCallerSectionGrantsOwnerRanges() {
        let grant = ServiceConfiguration.Caller(uid: 1000, ownerUIDs: IDRanges([100_000...165_535]), ownerGIDs: IDRanges([100_000...165_535]))
        let check = LeaseAuthorization(policy: policy(callers: [grant]), peer: alice)
        XCTAssertNil(check.refusal(of: named("WebApp01", owner: (100_000, 165_535))))
        XCTAssertEqual(check.refusal(of: named("WebApp01", owner: (165_536, 100_000)))?.field, "owner.uid")
        XCTAssertEqual(check.refusal(of: named("WebApp01", owner: (100_000, 99_999)))?.field, "owner.gid")
        // Another caller's grant is not Bob's.
        XCTAssertEqual(
            LeaseAuthorization(policy: policy(callers: [grant]), peer: bob)
                .refusal(of: named("WebApp01", owner: (100_000, 1001)))?.field, "owner.uid")
    }

    func testInlineCredSpecsAreOffByDefaultForEveryone() {
        let inline = LeaseRequest(source: .inline(spec), owner: LeaseOwner(uid: 0, gid: 0))
        let refusal = LeaseAuthorization(policy: policy(), peer: root).refusal(of: inline)
        XCTAssertEqual(refusal?.code, .credspecInlineDisabled)
        XCTAssertEqual(refusal?.code.httpStatus, 403)
        XCTAssertEqual(refusal?.field, "credentialSpec")
        XCTAssertTrue(refusal?.description.contains("allow-inline-credspecs = yes in [daemon]") ?? false)
        XCTAssertNil(LeaseAuthorization(policy: policy(inline: true), peer: root).refusal(of: inline))
    }

    func testCredSpecAllowListNamesWhoMayUseIt() {
        let access = ServiceConfiguration.CredSpecAccess(name: "WebApp01", allowedUIDs: IDRanges([1000...1000]), allowedGIDs: IDRanges([2000...2099]))
        let listed = policy(credSpecs: [access])
        XCTAssertNil(LeaseAuthorization(policy: listed, peer: alice).refusal(of: named("WebApp01.json", owner: (1000, 1000))))
        let refusal = LeaseAuthorization(policy: listed, peer: bob).refusal(of: named("WebApp01.json", owner: (1001, 1001)))
        XCTAssertEqual(refusal?.code, .forbidden)
        XCTAssertEqual(refusal?.field, "credentialSpecName")
        XCTAssertEqual(
            refusal?.description,
            "uid 1001, gid 1001 may not use CredSpec WebApp01; add it to allowed-uids or allowed-gids in [credspec \"WebApp01\"] of ccgd.conf.")
        let inGroup = PeerCredentials(pid: 4, uid: 1002, gid: 2050)
        XCTAssertNil(LeaseAuthorization(policy: listed, peer: inGroup).refusal(of: named("WebApp01", owner: (1002, 2050))))
        XCTAssertNil(LeaseAuthorization(policy: listed, peer: root).refusal(of: named("WebApp01", owner: (0, 0))))
        XCTAssertNil(LeaseAuthorization(policy: listed, peer: bob).refusal(of: named("WebApp02", owner: (1001, 1001))), "no section: open")
        XCTAssertEqual(
            LeaseAuthorization(policy: listed, peer: bob).refusal(of: named("WebApp01.JSON", owner: (1001, 1001)))?.field,
            "credentialSpecName", "the directory reads any case of .json")
    }

    func testASectionThatOnlyOptsInToPrefetchMakesNoAllowList() {
        var eager = ServiceConfiguration.CredSpecAccess(name: "WebApp01")
        eager.prefetch = true
        eager.restrictsUse = false
        XCTAssertNil(LeaseAuthorization(policy: policy(credSpecs: [eager]), peer: bob).refusal(of: named("WebApp01", owner: (1001, 1001))))
        eager.restrictsUse = true
        XCTAssertEqual(
            LeaseAuthorization(policy: policy(credSpecs: [eager]), peer: bob).refusal(of: named("WebApp01", owner: (1001, 1001)))?.code,
            .forbidden, "with an allow-list beside it, the list applies")
    }

    func testPeerSeesOnlyTheLeasesItCreatedAndRootSeesAll() {
        let check = LeaseAuthorization(policy: policy(), peer: alice)
        XCTAssertTrue(check.maySee(leaseCreatedBy: 1000))
        XCTAssertFalse(check.maySee(leaseCreatedBy: 1001))
        XCTAssertFalse(check.maySee(leaseCreatedBy: 0))
        let asRoot = LeaseAuthorization(policy: policy(), peer: root)
        XCTAssertTrue(asRoot.maySee(leaseCreatedBy: 1000))
    }

    // MARK: - Containers of Kubernetes pods (the OCI hook's requests)

    private let pod = KubernetesPod(namespace: "webapp", name: "web-1")

    private func forPod(_ source: LeaseRequest.Source, owner: (UInt32, UInt32) = (0, 0)) -> LeaseRequest {
        LeaseRequest(source: source, owner: LeaseOwner(uid: owner.0, gid: owner.1), onBehalfOfOwner: true, kubernetesPod: pod)
    }

    private func hookInPods(_ name: String, _ allowed: Bool = true) -> ServiceConfiguration.CredSpecAccess {
        var access = ServiceConfiguration.CredSpecAccess(name: name)
        access.ociHookInPods = allowed
        access.restrictsUse = false
        return access
    }

    func testAPodsContainerIsRefusedACredSpecThatDoesNotAllowTheHookInPods() {
        for credSpecs in [[], [hookInPods("WebApp01", false)], [hookInPods("WebApp02")]] {
            let refusal = LeaseAuthorization(policy: policy(credSpecs: credSpecs), peer: root).refusal(of: forPod(.named("WebApp01.json")))
            XCTAssertEqual(refusal?.code, .forbidden)
            XCTAssertEqual(refusal?.code.httpStatus, 403)
            XCTAssertEqual(refusal?.field, "kubernetesPod")
            XCTAssertEqual(
                refusal?.description,
                "the container belongs to Kubernetes pod webapp/web-1, which may not use CredSpec WebApp01 through the OCI hook; pods get a gMSA through ccgd's CSI volume (README: Use it from Kubernetes), or set oci-hook-in-pods = yes in [credspec \"WebApp01\"] of ccgd.conf to allow the hook."
            )
        }
        // The same request for a container of no pod is served.
        var plain = forPod(.named("WebApp01"))
        plain.kubernetesPod = nil
        XCTAssertNil(LeaseAuthorization(policy: policy(), peer: root).refusal(of: plain))
    }

    func testAPodsContainerGetsACredSpecThatAllowsTheHookInPodsUnderItsOtherRules() {
        let allowed = policy(credSpecs: [hookInPods("WebApp01")])
        XCTAssertNil(LeaseAuthorization(policy: allowed, peer: root).refusal(of: forPod(.named("WebApp01"))))
        XCTAssertNil(LeaseAuthorization(policy: allowed, peer: root).refusal(of: forPod(.named("WebApp01.json"))))
        // Its allow-list still applies to the container's user.
        var listed = hookInPods("WebApp01")
        listed.restrictsUse = true
        listed.allowedUIDs = IDRanges([1000...1000])
        let check = LeaseAuthorization(policy: policy(credSpecs: [listed]), peer: root)
        XCTAssertNil(check.refusal(of: forPod(.named("WebApp01"), owner: (1000, 1000))))
        XCTAssertEqual(check.refusal(of: forPod(.named("WebApp01"), owner: (2000, 2000)))?.field, "credentialSpecName")
    }

    func testAnInlineCredSpecIsNeverServedToAPodsContainer() {
        for inline in [false, true] {
            let refusal = LeaseAuthorization(policy: policy(inline: inline, credSpecs: [hookInPods("WebApp01")]), peer: root)
                .refusal(of: forPod(.inline(spec)))
            XCTAssertEqual(refusal?.code, .forbidden)
            XCTAssertEqual(refusal?.field, "kubernetesPod")
            XCTAssertEqual(
                refusal?.description,
                "the container belongs to Kubernetes pod webapp/web-1, and an inline CredSpec is never served to a pod's container; pods get a gMSA through ccgd's CSI volume (README: Use it from Kubernetes)."
            )
        }
    }

    func testTheSocketAPIReadsThePodFromTheRequest() throws {
        let body = #"{"credentialSpecName": "WebApp01", "owner": {"uid": 0, "gid": 0}, "onBehalfOfOwner": true, "kubernetesPod": "webapp/web-1"}"#
        let request = try LeaseRequestDecoder.decode(Array(body.utf8), caller: root)
        XCTAssertEqual(request.kubernetesPod, pod)
        XCTAssertEqual(LeaseAuthorization(policy: policy(), peer: root).refusal(of: request)?.field, "kubernetesPod")
        XCTAssertNil(try LeaseRequestDecoder.decode(Array(#"{"credentialSpecName": "WebApp01"}"#.utf8), caller: root).kubernetesPod)
        do throws(LeaseRequestDecoder.Failure) {
            _ = try LeaseRequestDecoder.decode(Array(#"{"credentialSpecName": "WebApp01", "kubernetesPod": "web-1"}"#.utf8), caller: root)
            XCTFail("a pod that is not namespace/name was read")
        } catch {
            XCTAssertEqual(error.response.status.code, 400)
        }
    }

    func testAPodsLeaseEndsAtReloadWhenItsCredSpecNoLongerAllowsTheHook() throws {
        var lease = Lease(
            id: LeaseID(), credentialSpec: spec, credentialSpecName: "WebApp01", owner: LeaseOwner(uid: 0, gid: 0), fileAccess: .owner,
            containerID: "c0ffee", mountPath: "/var/run/ccgd", createdAt: Date(), creator: 0, creatorGID: 0, directory: "/run/ccgd/leases/l_x",
            holder: nil, expiresAt: nil, onBehalfOfOwner: true, frontEnd: LeaseRequest.socketAPI, identities: [], ticketExpiresAt: nil,
            refreshAt: nil, kubernetesPod: pod)
        XCTAssertNil(LeaseAuthorization(policy: policy(credSpecs: [hookInPods("WebApp01")]), peer: root).refusal(toKeep: lease))
        let narrowed = policy(credSpecs: [hookInPods("WebApp01", false)])
        let reason = try XCTUnwrap(LeaseAuthorization(policy: narrowed, peer: root).refusal(toKeep: lease))
        XCTAssertTrue(reason.contains("Kubernetes pod webapp/web-1, which may not use CredSpec WebApp01"), reason)
        XCTAssertEqual(narrowed.podRefusal(toKeep: lease), reason, "the rule every front end's leases are checked by")
        lease.kubernetesPod = nil
        XCTAssertNil(narrowed.podRefusal(toKeep: lease))
    }
}
