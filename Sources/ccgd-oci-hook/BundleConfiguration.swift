import JSON

/// What the hook needs from the bundle's config.json: the root file system, the process's user
/// and the user namespace's id mappings, the host name, the annotations.
struct BundleConfiguration {
    /// One line of `linux.uidMappings` or `gidMappings`: container ids [containerID,
    /// containerID + size) are host ids [hostID, hostID + size).
    struct IDMapping {
        let containerID: UInt32
        let hostID: UInt32
        let size: UInt32

        func host(_ id: UInt32) -> UInt32? {
            guard id >= containerID, UInt64(id) < UInt64(containerID) + UInt64(size) else { return nil }
            let mapped = UInt64(hostID) + UInt64(id - containerID)
            return mapped < UInt64(UInt32.max) ? UInt32(mapped) : nil
        }
    }

    /// The root file system's path as the runtime sees it.
    let rootPath: String
    let uid: UInt32
    let gid: UInt32
    let uidMappings: [IDMapping]
    let gidMappings: [IDMapping]
    let hostname: String?
    /// config.json's annotations (text values only): those of the state, as the runtime wrote them.
    let annotations: [String: String]

    init(bundle: String) throws(HookFailure) {
        guard bundle.hasPrefix("/") else { throw HookFailure("the OCI state names no bundle directory; run ccgd-oci-hook as an OCI hook.") }
        let path = bundle + "/config.json"
        let value: JSONValue
        do { value = try JSONValue(parsing: try FileBytes.contents(of: path)) } catch let failure as HookFailure {
            throw failure
        } catch {
            throw HookFailure("\(path) is not JSON (\(error)); the runtime wrote a broken bundle.")
        }
        guard let root = value.member("root")?.member("path")?.text, !root.isEmpty else {
            throw HookFailure("\(path) has no root.path; the runtime wrote a broken bundle.")
        }
        rootPath = root.hasPrefix("/") ? root : bundle + "/" + root
        let user = value.member("process")?.member("user")
        uid = user?.member("uid")?.wholeNumber ?? 0
        gid = user?.member("gid")?.wholeNumber ?? 0
        let linux = value.member("linux")
        uidMappings = try Self.mappings(linux?.member("uidMappings"), key: "linux.uidMappings", path: path)
        gidMappings = try Self.mappings(linux?.member("gidMappings"), key: "linux.gidMappings", path: path)
        hostname = value.member("hostname")?.text
        var annotations: [String: String] = [:]
        if case let .object(object)? = value.member("annotations") {
            for member in object.members { if let text = member.value.text { annotations[member.key] = text } }
        }
        self.annotations = annotations
    }

    /// The process's uid and gid as the host sees them: through the mappings when the container
    /// has a user namespace.
    func hostOwner() throws(HookFailure) -> (uid: UInt32, gid: UInt32) {
        (try Self.host(uid, uidMappings, kind: "uid"), try Self.host(gid, gidMappings, kind: "gid"))
    }

    private static func host(_ id: UInt32, _ mappings: [IDMapping], kind: String) throws(HookFailure) -> UInt32 {
        guard !mappings.isEmpty else { return id }
        for mapping in mappings { if let host = mapping.host(id) { return host } }
        throw HookFailure("the container's \(kind) \(id) is in none of its \(kind) mappings; map it (e.g. podman --uidmap/--gidmap) or run as another user.")
    }

    private static func mappings(_ value: JSONValue?, key: String, path: String) throws(HookFailure) -> [IDMapping] {
        guard let value else { return [] }
        guard let elements = value.elements else { throw HookFailure("\(key) in \(path) is not an array; the runtime wrote a broken bundle.") }
        return try elements.map { element throws(HookFailure) in
            guard let container = element.member("containerID")?.wholeNumber, let host = element.member("hostID")?.wholeNumber,
                let size = element.member("size")?.wholeNumber
            else {
                throw HookFailure("\(key) in \(path) has an entry without containerID, hostID and size; the runtime wrote a broken bundle.")
            }
            return IDMapping(containerID: container, hostID: host, size: size)
        }
    }
}
