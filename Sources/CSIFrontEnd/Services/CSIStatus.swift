import GRPCUnaryServer
import LeaseService
import Observability

/// The CSI status of each failure, with one sentence naming the pod and the CredSpec: the kubelet
/// shows the message in the pod's events (`kubectl describe pod`).
enum CSIStatus {
    static func of(_ error: LeaseError, volume: PodVolume) -> RPCStatus {
        RPCStatus(code: code(error.code), message: "pod \(volume.pod), CredSpec \(volume.credentialSpecName): \(error)")
    }

    /// The CSI specification's codes for NodePublishVolume: the kubelet retries every failure
    /// with backoff, so a passing cause (a DC down) and a lasting one (a missing CredSpec) differ
    /// only in what the operator reads.
    static func code(_ code: ErrorCode) -> RPCStatus.Code {
        switch code {
        case .badRequest, .credspecInvalid: .invalidArgument
        case .methodNotAllowed: .unimplemented
        case .credspecNotFound, .notFound, .accountNotFound: .notFound
        case .forbidden, .credspecInlineDisabled, .directoryAccessDenied: .permissionDenied
        case .authFailed: .unauthenticated
        case .pluginUnknown, .pluginFailed, .holderGone: .failedPrecondition
        case .pluginTimeout: .deadlineExceeded
        case .directoryUnreachable, .storageUnavailable: .unavailable
        case .payloadTooLarge, .quotaExceeded, .storageFull, .connectionsExceeded: .resourceExhausted
        case .directoryMalformedAnswer, .internal: .internalError
        }
    }

    static func notGranted(_ volume: PodVolume) -> RPCStatus {
        RPCStatus(
            code: .permissionDenied,
            message:
                "pod \(volume.pod): service account \(volume.pod.serviceAccountName) may not use CredSpec \(volume.credentialSpecName); add it to kubernetes-service-accounts in [credspec \"\(volume.credentialSpecName)\"] of ccgd.conf."
        )
    }

    static func publishedOtherwise(_ volume: PodVolume, as lease: Lease) -> RPCStatus {
        RPCStatus(
            code: .alreadyExists,
            message:
                "pod \(volume.pod): volume \(volume.volumeID) is already published with CredSpec \(lease.credentialSpecName ?? "inline") at \(lease.frontEndDetails[CSINodeService.Detail.targetPath] ?? "another path"); unpublish it first."
        )
    }

    static let notRoot = RPCStatus(
        code: .permissionDenied, message: "only root (the kubelet) may call ccgd's CSI socket; check the socket's permissions and who connects.")
}
