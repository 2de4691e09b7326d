import CredSpec
import JSON
import FoundationEssentials
import Glibc
import DomainModel

/// What the state directory keeps of a lease: enough to rebuild it after a restart, and never a
/// secret (keys and tickets are fetched again).
package struct LeaseRecord: Sendable, Codable, Equatable {
    package let id: LeaseID
    /// The CredSpec JSON; an inline plug-in's PluginInput (a password) is replaced by a marker.
    package let credentialSpec: String
    package let credentialSpecName: String?
    package let owner: LeaseOwner
    package let containerID: String?
    package let mountPath: String
    package let createdAt: Date
    /// The uid of the peer that created the lease (always recorded).
    package var creator: UInt32 = 0
    /// The lease directory when the request chose it (absent: `<runtime directory>/leases/<id>`).
    package var directory: String? = nil
    /// The primary gid of the peer that created the lease.
    package var creatorGID: UInt32? = nil
    /// The process whose exit ends the lease.
    package var holder: LeaseHolder? = nil
    /// When the lease ends by itself.
    package var expiresAt: Date? = nil
    /// Asked for on behalf of its owner (absent: false).
    package var onBehalfOfOwner: Bool? = nil
    /// The front end that created it (absent: the socket API).
    package var frontEnd: String? = nil
    /// Who besides the owner's uid reads the files (absent: nobody), so that a restart writes them with the same modes.
    package var fileAccess: LeaseFileAccess? = nil
    /// What the front end keeps of the lease (`Lease.frontEndDetails`; absent: nothing).
    package var frontEndDetails: [String: String]? = nil
    /// The Kubernetes pod of its container, `namespace/name` (absent: none), so that a restart checks it again.
    package var kubernetesPod: String? = nil

    /// What stands in the state file instead of a PluginInput that is itself a secret.
    package static let redactedPluginInput = "<redacted: inline credentials are not stored>"
}

extension LeaseRecord {
    /// The record as its `Codable` form decodes it (dates in seconds since 1970, nil fields left
    /// out). A new field goes here too: `LeaseJournalTests` counts them.
    var journalJSON: JSONValue {
        var members: [(key: String, value: JSONValue)] = []
        if let containerID { members.append(("containerID", .string(containerID))) }
        members.append(("createdAt", .number("\(createdAt.timeIntervalSince1970)")))
        members.append(("creator", .number(String(creator))))
        if let creatorGID { members.append(("creatorGID", .number(String(creatorGID)))) }
        members.append(("credentialSpec", .string(credentialSpec)))
        if let credentialSpecName { members.append(("credentialSpecName", .string(credentialSpecName))) }
        if let directory { members.append(("directory", .string(directory))) }
        if let expiresAt { members.append(("expiresAt", .number("\(expiresAt.timeIntervalSince1970)"))) }
        if let fileAccess { members.append(("fileAccess", .string(fileAccess.rawValue))) }
        if let frontEnd { members.append(("frontEnd", .string(frontEnd))) }
        if let frontEndDetails {
            members.append(("frontEndDetails", .object(JSONObject(frontEndDetails.sorted { $0.key < $1.key }.map { ($0.key, JSONValue.string($0.value)) }))))
        }
        if let holder {
            var fields: [(key: String, value: JSONValue)] = []
            if let bootID = holder.bootID { fields.append(("bootID", .string(bootID))) }
            fields.append(("pid", .number(String(holder.pid))))
            if let startTime = holder.startTime { fields.append(("startTime", .number(String(startTime)))) }
            members.append(("holder", .object(JSONObject(fields))))
        }
        members.append(("id", .string(id.value)))
        if let kubernetesPod { members.append(("kubernetesPod", .string(kubernetesPod))) }
        members.append(("mountPath", .string(mountPath)))
        if let onBehalfOfOwner { members.append(("onBehalfOfOwner", .bool(onBehalfOfOwner))) }
        members.append(("owner", .object(["gid": .number(String(owner.gid)), "uid": .number(String(owner.uid))])))
        return .object(JSONObject(members))
    }
}
