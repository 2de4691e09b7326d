import FoundationEssentials
import SecretMemory
import Glibc

/// Temporary credentials (container endpoint, instance metadata) kept between runs until five
/// minutes before they expire. ccgd starts the plug-in once per call, so the cache is a directory
/// (`CCGD_AWS_CACHE_DIRECTORY`; ccgd's default registration gives `<runtime-directory>/aws-secrets-manager`,
/// on tmpfs): mode 0700, one 0600 file per source, locked while it is read or refreshed so that
/// concurrent runs make one request. A cache that cannot be used is skipped, never fatal.
struct CredentialCache {
    let directory: String
    /// Credentials closer than this to their expiry are fetched again (the SDKs' margin).
    static let margin: TimeInterval = 300

    /// The directory, created if missing, when it is ours alone; nil (and a note on stderr) otherwise.
    init?(directory: String) {
        guard directory.hasPrefix("/") else { return nil }
        if mkdir(directory, 0o700) != 0, errno != EEXIST {
            Self.note("cannot create the credentials cache \(directory): \(String(cString: strerror(errno))); going on without it")
            return nil
        }
        var status = stat()
        guard lstat(directory, &status) == 0, status.st_mode & S_IFMT == S_IFDIR, status.st_uid == geteuid(), status.st_mode & 0o077 == 0 else {
            Self.note("the credentials cache \(directory) is not a directory of this user with mode 0700; going on without it")
            return nil
        }
        self.directory = directory
    }

    /// The credentials of `source` from the cache, or fetched and kept. `identity` (e.g. the
    /// authorization token) is part of the key: other settings never get another's credentials.
    static func cached(
        in cache: CredentialCache?, source: String, identity: String = "",
        fetch: () throws(CredentialsFailure) -> AWSCredentials
    ) throws(CredentialsFailure) -> AWSCredentials {
        guard let cache else { return try fetch() }
        let name = cache.directory + "/" + SignatureV4.hex(Array(SignatureV4.sha256(Array((source + "\n" + identity).utf8)).prefix(16)))
        let lock = open(name + ".lock", O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard lock >= 0 else { return try fetch() }
        defer { close(lock) }
        while flock(lock, LOCK_EX) != 0, errno == EINTR {}
        if var found = cache.load(name), let expiration = found.expiration, expiration.timeIntervalSinceNow > margin {
            found.source = source + " (cached until \(ISO8601.basic(expiration.addingTimeInterval(-margin))))"
            return found
        }
        let fresh = try fetch()
        if fresh.expiration != nil { cache.write(fresh, to: name) }
        return fresh
    }

    /// `v1`, expiry (seconds since 1970), access key ID, session token, secret key: one a line.
    private func load(_ name: String) -> AWSCredentials? {
        guard let text = try? SharedCredentialsFile.readFile(name) else { return nil }
        return text.withBytes { bytes -> AWSCredentials? in
            let lines = bytes.split(separator: UInt8(ascii: "\n"), maxSplits: 4, omittingEmptySubsequences: false)
            guard lines.count == 5, String(decoding: lines[0], as: UTF8.self) == "v1",
                let seconds = Double(String(decoding: lines[1], as: UTF8.self)), !lines[2].isEmpty, !lines[4].isEmpty
            else { return nil }
            let secretEnd = lines[4].last == UInt8(ascii: "\n") ? lines[4].endIndex - 1 : lines[4].endIndex
            let token = String(decoding: lines[3], as: UTF8.self)
            return AWSCredentials(
                accessKeyID: String(decoding: lines[2], as: UTF8.self),
                secretAccessKey: SecretBytes(copying: UnsafeRawBufferPointer(rebasing: bytes[lines[4].startIndex..<secretEnd])),
                sessionToken: token.isEmpty ? nil : token,
                expiration: Date(timeIntervalSince1970: seconds), source: "")
        }
    }

    /// A new 0600 file renamed over the old one: a reader sees one or the other, whole.
    private func write(_ credentials: AWSCredentials, to name: String) {
        guard let expiration = credentials.expiration else { return }
        let temporary = name + ".new.\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { return }
        let head = Array("v1\n\(Int(expiration.timeIntervalSince1970))\n\(credentials.accessKeyID)\n\(credentials.sessionToken ?? "")\n".utf8)
        var complete = head.withUnsafeBytes { Self.writeAll(descriptor, $0) }
        complete = complete && credentials.secretAccessKey.withUnsafeBytes { Self.writeAll(descriptor, $0) }
        complete = close(descriptor) == 0 && complete
        if !complete || rename(temporary, name) != 0 { unlink(temporary) }
    }

    private static func writeAll(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) -> Bool {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 { if errno == EINTR { continue }; return false }
            offset += written
        }
        return true
    }

    static func note(_ text: String) {
        let line = Array("ccgd-aws-plugin: \(text)\n".utf8)
        _ = line.withUnsafeBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }
}
