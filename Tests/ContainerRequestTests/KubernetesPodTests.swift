import ContainerRequest
import XCTest

/// Which pod a container belongs to, from the annotations its runtime gives the OCI hook.
final class KubernetesPodTests: XCTestCase {
    func testCRIOsAnnotationsNameThePod() {
        let annotations = [
            "io.kubernetes.pod.namespace": "webapp", "io.kubernetes.pod.name": "web-1", "io.kubernetes.container.name": "app",
            "io.kubernetes.pod.uid": "0e6c2d1c-5b0a-4a56-9d9b-6a8f3c1e2f10", "io.ccgd.credentialspec": "WebApp01",
        ]
        XCTAssertEqual(KubernetesPod(annotations: annotations), KubernetesPod(namespace: "webapp", name: "web-1"))
        XCTAssertEqual(KubernetesPod(annotations: annotations)?.description, "webapp/web-1")
    }

    func testContainerdsCRIAnnotationsNameThePod() {
        let annotations = [
            "io.kubernetes.cri.container-type": "container", "io.kubernetes.cri.sandbox-namespace": "billing",
            "io.kubernetes.cri.sandbox-name": "reports-7d9f8", "io.kubernetes.cri.container-name": "app",
        ]
        XCTAssertEqual(KubernetesPod(annotations: annotations)?.description, "billing/reports-7d9f8")
    }

    func testAnyKubernetesAnnotationMakesItAPodsContainerWhateverIsMissing() {
        XCTAssertEqual(KubernetesPod(annotations: ["io.kubernetes.cri.container-type": "container"])?.description, "unknown/unknown")
        XCTAssertEqual(KubernetesPod(annotations: ["io.kubernetes.cri.sandbox-name": "web"])?.description, "unknown/web")
        XCTAssertEqual(KubernetesPod(annotations: ["io.kubernetes.pod.namespace": "webapp"])?.description, "webapp/unknown")
    }

    /// Podman 4 writes some of CRI-O's bookkeeping annotations on every container it runs.
    func testPodmansOwnCRIOAnnotationsMarkNoPod() {
        let podman = [
            "io.container.manager": "libpod", "io.kubernetes.cri-o.Created": "2026-12-07T09:54:15.880744773Z",
            "io.kubernetes.cri-o.TTY": "false", "io.kubernetes.cri-o.ContainerType": "sandbox", "io.podman.annotations.autoremove": "FALSE",
            "io.ccgd.credentialspec": "WebApp01",
        ]
        XCTAssertNil(KubernetesPod(annotations: podman))
        XCTAssertEqual(
            KubernetesPod(annotations: podman.merging(["io.kubernetes.pod.namespace": "webapp", "io.kubernetes.pod.name": "web-1"]) { $1 })?
                .description, "webapp/web-1", "CRI-O's pod containers carry the kubelet's names as well")
    }

    func testAContainerWithoutKubernetesAnnotationsIsNoPods() {
        XCTAssertNil(KubernetesPod(annotations: [:]))
        XCTAssertNil(KubernetesPod(annotations: ["io.ccgd.credentialspec": "WebApp01", "org.opencontainers.image.title": "x", "io.kubernetesx": "y"]))
    }

    /// A value that cannot be a Kubernetes name (a pod author's annotation, say) is not passed on as one.
    func testAnUnreadableNamespaceOrNameIsUnknownAndTheNextRuntimesAnnotationIsTried() {
        XCTAssertEqual(
            KubernetesPod(annotations: ["io.kubernetes.pod.namespace": "a/b", "io.kubernetes.pod.name": "web 1"])?.description, "unknown/unknown")
        XCTAssertEqual(
            KubernetesPod(annotations: ["io.kubernetes.pod.namespace": "", "io.kubernetes.cri.sandbox-namespace": "webapp", "io.kubernetes.pod.name": "web-1"])?
                .description, "webapp/web-1")
        XCTAssertEqual(KubernetesPod(annotations: ["io.kubernetes.pod.name": String(repeating: "a", count: 254)])?.name, "unknown")
        XCTAssertEqual(KubernetesPod(annotations: ["io.kubernetes.pod.name": "wéb"])?.name, "unknown")
    }

    func testTheTextFormReadsBackAndRefusesWhatIsNotNamespaceSlashName() {
        XCTAssertEqual(KubernetesPod(text: "webapp/web-1.a"), KubernetesPod(namespace: "webapp", name: "web-1.a"))
        for text in ["webapp", "webapp/", "/web-1", "a/b/c", "a /b", "a/b\n", ""] { XCTAssertNil(KubernetesPod(text: text), text) }
    }
}
