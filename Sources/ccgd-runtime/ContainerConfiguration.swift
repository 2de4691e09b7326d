import ContainerRequest
import JSON

/// A bundle's config.json (runtime-spec "Configuration") and what the shim changes in it for a
/// container that asks for a CredSpec: ccgd's hook at createRuntime and poststop, and the
/// annotations the hook reads, from the process's environment where the caller set no annotation
/// (Docker 20.10 has none). Every other member stays as it was, in its place and spelling.
struct ContainerConfiguration {
    private(set) var document: JSONObject
    /// config.json's path, for messages.
    let file: String

    init(text: [UInt8], file: String) throws(ShimFailure) {
        self.file = file
        let value: JSONValue
        do { value = try JSONValue(parsing: text) } catch {
            throw ShimFailure("\(file) is not JSON (\(error.message)); the caller wrote a broken bundle.")
        }
        guard case let .object(document) = value else { throw ShimFailure("\(file) is not a JSON object; the caller wrote a broken bundle.") }
        self.document = document
    }

    /// What the container asks for, by key: its annotation, else its environment variable
    /// (empty values ask for nothing). Nil when it asks for no CredSpec.
    func request() throws(ShimFailure) -> [ContainerRequestKey: String]? {
        let annotations = try self.annotations()
        let environment = try self.environment()
        var request: [ContainerRequestKey: String] = [:]
        // The CredSpec's key first: a container that asks for none is left alone, whatever else it sets.
        for key in ContainerRequestKey.all where key == .credentialSpec || request[.credentialSpec] != nil {
            let annotated = annotations.members.first { $0.key == key.annotation }?.value.text ?? ""
            let variable = environment[key.environmentVariable] ?? ""
            if !annotated.isEmpty, !variable.isEmpty, annotated != variable {
                throw ShimFailure(
                    "the container asks for \(key.annotation)=\(annotated) by annotation but \(key.environmentVariable)=\(variable) in its environment; give one of them, or the same value in both."
                )
            }
            let value = annotated.isEmpty ? variable : annotated
            if !value.isEmpty { request[key] = value }
        }
        // A Kubernetes pod's container (io.kubernetes.* annotations, left in place) is the hook's and
        // ccgd's to decide (oci-hook-in-pods): the rule has one home, which the shim does not copy.
        guard request[.credentialSpec] != nil else { return nil }
        return request
    }

    /// Adds `hook` at createRuntime and poststop (unless the same entry is there already) and the
    /// annotations of `request` that config.json lacks.
    mutating func add(_ hook: HookEntry, for request: [ContainerRequestKey: String]) throws(ShimFailure) {
        var annotations = try self.annotations()
        for key in ContainerRequestKey.all {
            guard let value = request[key], !annotations.members.contains(where: { $0.key == key.annotation && $0.value.text == value }) else { continue }
            // An empty annotation (which asks for nothing) is replaced in its place.
            if let index = annotations.members.firstIndex(where: { $0.key == key.annotation }) {
                annotations.members[index].value = .string(value)
            } else {
                annotations.members.append((key.annotation, .string(value)))
            }
        }
        set("annotations", .object(annotations))

        var hooks: JSONObject
        switch document["hooks"] {
        case nil, .null?: hooks = JSONObject()
        case let .object(object)?: hooks = object
        case let other?: throw ShimFailure("hooks in \(file) is \(other.kind), not an object; the caller wrote a broken bundle.")
        }
        for stage in ["createRuntime", "poststop"] {
            var entries: [JSONValue]
            switch hooks[stage] {
            case nil, .null?: entries = []
            case let .array(array)?: entries = array
            case let other?: throw ShimFailure("hooks.\(stage) in \(file) is \(other.kind), not an array; the caller wrote a broken bundle.")
            }
            if !entries.contains(hook.value) { entries.append(hook.value) }
            if let index = hooks.members.firstIndex(where: { $0.key == stage }) {
                hooks.members[index].value = .array(entries)
            } else {
                hooks.members.append((stage, .array(entries)))
            }
        }
        set("hooks", .object(hooks))
    }

    /// The document as JSON text (compact, as the runtimes' callers write it), ending in a
    /// newline if `original` did.
    func text(endingLike original: [UInt8]) -> [UInt8] {
        var bytes = JSONValue.object(document).compactUTF8
        if original.last == UInt8(ascii: "\n") { bytes.append(UInt8(ascii: "\n")) }
        return bytes
    }

    private func annotations() throws(ShimFailure) -> JSONObject {
        switch document["annotations"] {
        case nil, .null?: return JSONObject()
        case let .object(object)?: return object
        case let other?: throw ShimFailure("annotations in \(file) is \(other.kind), not an object; the caller wrote a broken bundle.")
        }
    }

    /// process.env as name → value, the first entry of a name counting (as getenv(3) finds it).
    private func environment() throws(ShimFailure) -> [String: String] {
        guard let process = document["process"], let list = process.member("env") else { return [:] }
        guard let entries = list.elements else { throw ShimFailure("process.env in \(file) is not an array; the caller wrote a broken bundle.") }
        var environment: [String: String] = [:]
        for entry in entries {
            guard let text = entry.text, let equals = text.firstIndex(of: "=") else { continue }
            let name = String(text[..<equals])
            if environment[name] == nil { environment[name] = String(text[text.index(after: equals)...]) }
        }
        return environment
    }

    /// Replaces the first member `key` in its place, or appends it.
    private mutating func set(_ key: String, _ value: JSONValue) {
        if let index = document.members.firstIndex(where: { $0.key == key }) {
            document.members[index].value = value
        } else {
            document.members.append((key, value))
        }
    }
}
