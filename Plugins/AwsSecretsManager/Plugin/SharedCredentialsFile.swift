import FoundationEssentials
import SecretMemory
import Glibc

/// The shared credentials file (`AWS_SHARED_CREDENTIALS_FILE`, else `~/.aws/credentials` of the
/// user the plug-in runs as) and its profile (`AWS_PROFILE`, else `default`): an INI file with
/// `aws_access_key_id`, `aws_secret_access_key` and optionally `aws_session_token`.
struct SharedCredentialsFile {
    let environment: Environment

    var path: String {
        if let path = environment["AWS_SHARED_CREDENTIALS_FILE"] { return path }
        // ccgd sets HOME=/nonexistent: the home of the plug-in's user is in the password database.
        var home = environment["HOME"]
        if home == nil || home == "/nonexistent", let entry = getpwuid(geteuid()), let directory = entry.pointee.pw_dir {
            home = String(cString: directory)
        }
        return (home ?? "/root") + "/.aws/credentials"
    }

    func credentials(looked: inout [String]) throws(CredentialsFailure) -> AWSCredentials? {
        let path = self.path
        let explicitProfile = environment["AWS_PROFILE"]
        let profile = explicitProfile ?? "default"
        let text: SecretBuffer
        do throws(FileProblem) {
            text = try Self.readFile(path)
        } catch {
            guard case .missing = error else {
                throw CredentialsFailure(message: "cannot read the shared credentials file \(path): \(error)")
            }
            if environment["AWS_SHARED_CREDENTIALS_FILE"] != nil {
                throw CredentialsFailure(message: "the shared credentials file \(path) (AWS_SHARED_CREDENTIALS_FILE) does not exist; fix the path")
            }
            looked.append("no shared credentials file \(path)")
            return nil
        }
        let values = text.withBytes { Self.profile(profile, in: $0) }
        guard let values else {
            if explicitProfile != nil {
                throw CredentialsFailure(message: "the shared credentials file \(path) has no profile [\(profile)] (AWS_PROFILE); add it or fix AWS_PROFILE")
            }
            looked.append("no profile [default] in \(path)")
            return nil
        }
        guard let id = values.id, let secret = values.secret, !id.isEmpty, !secret.isEmpty else {
            throw CredentialsFailure(message: "profile [\(profile)] of \(path) lacks aws_access_key_id or aws_secret_access_key; add both")
        }
        return AWSCredentials(
            accessKeyID: id, secretAccessKey: secret, sessionToken: values.token,
            source: "shared credentials file \(path), profile \(profile)")
    }

    enum FileProblem: Error, CustomStringConvertible {
        case missing
        case unreadable(String)

        var description: String {
            switch self {
            case .missing: "No such file or directory"
            case let .unreadable(reason): reason
            }
        }
    }

    /// The file into wiped storage (it holds secret keys).
    static func readFile(_ path: String) throws(FileProblem) -> SecretBuffer {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let number = errno
            throw number == ENOENT ? .missing : .unreadable(String(cString: strerror(number)))
        }
        defer { close(descriptor) }
        let buffer = SecretBuffer(capacity: 4096)
        while true {
            let count = buffer.append(upTo: 4096) { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return buffer }
            if count < 0 {
                if errno == EINTR { continue }
                throw .unreadable(String(cString: strerror(errno)))
            }
            guard buffer.count <= 1 << 20 else { throw .unreadable("it is larger than 1 MiB") }
        }
    }

    /// The three keys of `[name]`, or nil when there is no such section.
    static func profile(_ name: String, in bytes: UnsafeRawBufferPointer) -> (id: String?, secret: SecretBytes?, token: String?)? {
        var found = false, inside = false
        var id: String?, secret: SecretBytes?, token: String?
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: true) {
            let trimmed = trim(line)
            guard let first = trimmed.first, first != UInt8(ascii: "#"), first != UInt8(ascii: ";") else { continue }
            if first == UInt8(ascii: "["), trimmed.last == UInt8(ascii: "]") {
                let section = String(decoding: trimmed.dropFirst().dropLast(), as: UTF8.self).trimmingSpaces
                inside = section == name
                found = found || inside
                continue
            }
            guard inside, let equals = line.firstIndex(of: UInt8(ascii: "=")) else { continue }
            let key = String(decoding: line[..<equals], as: UTF8.self).trimmingSpaces.lowercased()
            let value = trim(line[(equals + 1)...])
            switch key {
            case "aws_access_key_id": id = String(decoding: value, as: UTF8.self)
            case "aws_secret_access_key": secret = SecretBytes(copying: UnsafeRawBufferPointer(rebasing: value))
            case "aws_session_token": token = String(decoding: value, as: UTF8.self)
            default: break
            }
        }
        return found ? (id, secret, token) : nil
    }
}

private func trim(_ text: Slice<UnsafeRawBufferPointer>) -> Slice<UnsafeRawBufferPointer> {
    var start = text.startIndex, end = text.endIndex
    while start < end, isSpace(text.base[start]) { start += 1 }
    while end > start, isSpace(text.base[end - 1]) { end -= 1 }
    return text.base[start..<end]
}

private func isSpace(_ byte: UInt8) -> Bool {
    byte == 0x20 || byte == 0x09 || byte == 0x0D
}
