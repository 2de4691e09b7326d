import CredSpec
import JSON
import FoundationEssentials

extension APIDocuments.LeaseDocument {
    /// The document as `APIResponse.json` would write it (keys sorted, dates ISO 8601, nil fields
    /// left out), through the CredSpec module's JSON writer: every lease's answer is one of
    /// these, and Foundation's generic encoder cost more than the rest of a cached lease.
    /// `LeaseDocumentJSONTests` holds it to Foundation's decoding of the same document.
    var json: JSONValue {
        func string(_ text: String) -> JSONValue { .string(text) }
        func number(_ value: UInt32) -> JSONValue { .number(String(value)) }
        func date(_ value: Date) -> JSONValue { .string(value.formatted(.iso8601)) }
        var members: [(key: String, value: JSONValue)] = []
        if let containerId { members.append(("containerId", string(containerId))) }
        members.append(("createdAt", date(createdAt)))
        members.append(("creator", number(creator)))
        if let credentialSpecName { members.append(("credentialSpecName", string(credentialSpecName))) }
        members.append(("directory", string(directory)))
        members.append(("environment", .object(JSONObject(environment.sorted { $0.key < $1.key }.map { ($0.key, string($0.value)) }))))
        if let expiresAt { members.append(("expiresAt", date(expiresAt))) }
        members.append(("files", .object(["ccache": string(files.ccache), "keytab": string(files.keytab), "krb5Conf": string(files.krb5Conf)])))
        if let holder {
            var fields: [(key: String, value: JSONValue)] = [("pid", .number(String(holder.pid)))]
            if let startTime = holder.startTime { fields.append(("startTime", .number(String(startTime)))) }
            members.append(("holder", .object(JSONObject(fields))))
        }
        members.append(("hostname", string(hostname)))
        members.append(("id", string(id)))
        members.append(
            (
                "identities",
                .array(
                    identities.map { identity in
                        .object([
                            "account": string(identity.account), "ccache": string(identity.ccache),
                            "enctypes": .array(identity.enctypes.map(string)), "kvno": number(identity.kvno),
                            "principal": string(identity.principal), "realm": string(identity.realm),
                            "servicePrincipalNames": .array(identity.servicePrincipalNames.map(string)),
                        ])
                    })
            ))
        if let kubernetesPod { members.append(("kubernetesPod", string(kubernetesPod))) }
        members.append(("mount", .object(["readOnly": .bool(mount.readOnly), "source": string(mount.source), "target": string(mount.target)])))
        members.append(("owner", .object(["gid": number(owner.gid), "uid": number(owner.uid)])))
        if let refreshAt { members.append(("refreshAt", date(refreshAt))) }
        if let ticketExpiresAt { members.append(("ticketExpiresAt", date(ticketExpiresAt))) }
        return .object(JSONObject(members))
    }
}
