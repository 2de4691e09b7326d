import ContainerRequest
import JSON

/// The body of `POST /v1/leases` (docs/api.md): written by ccgctl and the OCI hook, read by
/// ccgd's socket API, so that the three agree on every field's name and shape.
package struct LeaseRequestBody: Sendable, Equatable {
    /// Which CredSpec: one inline (the document itself) or a name in ccgd's CredSpec directory.
    package enum Source: Sendable, Equatable {
        case inline(JSONValue)
        case named(String)
    }

    /// The process whose exit ends the lease.
    package struct Holder: Sendable, Equatable {
        package var pid: Int32
        /// Its start time in clock ticks since boot (field 22 of /proc/PID/stat), when known.
        package var startTime: UInt64?

        package init(pid: Int32, startTime: UInt64? = nil) {
            self.pid = pid
            self.startTime = startTime
        }
    }

    package var source: Source
    /// The owner of the lease's files; each nil part is the caller's own.
    package var ownerUID: UInt32?
    package var ownerGID: UInt32?
    package var containerID: String?
    package var mountPath: String?
    package var holder: Holder?
    /// Seconds until the lease ends by itself.
    package var expiresIn: UInt64?
    /// Asked for the owner, to whom ccgd's allow-lists then apply.
    package var onBehalfOfOwner: Bool?
    /// The Kubernetes pod the container belongs to (the OCI hook reads it from the runtime's
    /// annotations): ccgd then serves only a named CredSpec that allows `oci-hook-in-pods`.
    package var kubernetesPod: KubernetesPod?

    package init(
        source: Source, ownerUID: UInt32? = nil, ownerGID: UInt32? = nil, containerID: String? = nil, mountPath: String? = nil,
        holder: Holder? = nil, expiresIn: UInt64? = nil, onBehalfOfOwner: Bool? = nil, kubernetesPod: KubernetesPod? = nil
    ) {
        self.source = source
        self.ownerUID = ownerUID
        self.ownerGID = ownerGID
        self.containerID = containerID
        self.mountPath = mountPath
        self.holder = holder
        self.expiresIn = expiresIn
        self.onBehalfOfOwner = onBehalfOfOwner
        self.kubernetesPod = kubernetesPod
    }

    /// The fields a body may have.
    package static let fieldNames = [
        "credentialSpec", "credentialSpecName", "owner", "containerId", "mountPath", "holder", "expiresIn",
        "onBehalfOfOwner", "kubernetesPod",
    ]
    /// The longest `expiresIn`: ten years, in seconds.
    package static let longestLifetime: UInt64 = 10 * 366 * 24 * 3600

    /// The body as JSON, fields in a fixed order, absent ones left out.
    package var json: JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        switch source {
        case let .inline(spec): members.append(("credentialSpec", spec))
        case let .named(name): members.append(("credentialSpecName", .string(name)))
        }
        if ownerUID != nil || ownerGID != nil {
            var owner: [(key: String, value: JSONValue)] = []
            if let ownerUID { owner.append(("uid", .number(String(ownerUID)))) }
            if let ownerGID { owner.append(("gid", .number(String(ownerGID)))) }
            members.append(("owner", .object(JSONObject(owner))))
        }
        if let containerID { members.append(("containerId", .string(containerID))) }
        if let holder {
            var fields: [(key: String, value: JSONValue)] = [("pid", .number(String(holder.pid)))]
            if let startTime = holder.startTime { fields.append(("startTime", .number(String(startTime)))) }
            members.append(("holder", .object(JSONObject(fields))))
        }
        if let onBehalfOfOwner { members.append(("onBehalfOfOwner", .bool(onBehalfOfOwner))) }
        if let mountPath { members.append(("mountPath", .string(mountPath))) }
        if let expiresIn { members.append(("expiresIn", .number(String(expiresIn)))) }
        if let kubernetesPod { members.append(("kubernetesPod", .string(kubernetesPod.description))) }
        return .object(JSONObject(members))
    }
}
