import Glibc

/// A bundle's config.json on disk: read once, and replaced atomically (a temporary file in the
/// bundle, synced, with the original's mode and owner, renamed over it) so the runtime never
/// reads half a file, and a failure leaves the original as it was.
struct ConfigurationFile {
    let path: String
    let directory: String
    let bytes: [UInt8]
    private let mode: mode_t
    private let owner: (uid: uid_t, gid: gid_t)

    /// config.json of the bundle directory `bundle` (relative to the working directory, as runc takes it).
    init(bundle: String) throws(ShimFailure) {
        directory = bundle
        path = (bundle.hasSuffix("/") ? bundle : bundle + "/") + "config.json"
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ShimFailure("cannot open \(path) (\(systemError(errno))); the caller gave a bundle without its config.json.") }
        defer { close(fd) }
        var status = stat()
        guard fstat(fd, &status) == 0 else { throw ShimFailure("cannot inspect \(path): \(systemError(errno))") }
        guard status.st_mode & S_IFMT == S_IFREG else { throw ShimFailure("\(path) is not a regular file; the caller wrote a broken bundle.") }
        mode = status.st_mode & 0o7777
        owner = (status.st_uid, status.st_gid)
        guard let bytes = FileBytes.readAll(fd) else { throw ShimFailure("cannot read \(path): \(systemError(errno))") }
        self.bytes = bytes
    }

    func replace(with text: [UInt8]) throws(ShimFailure) {
        var template = Array((directory.hasSuffix("/") ? directory : directory + "/").utf8CString.dropLast()) + Array(".config.json.ccgd-XXXXXX".utf8CString)
        // Closed again before the runtime is exec'd: no O_CLOEXEC needed.
        let fd = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard fd >= 0 else {
            throw ShimFailure("cannot make a temporary file in the bundle \(directory) (\(systemError(errno))); config.json was left as it was.")
        }
        let temporary = String(decoding: template.dropLast().map { UInt8(bitPattern: $0) }, as: UTF8.self)
        var renamed = false
        defer {
            close(fd)
            if !renamed { unlink(temporary) }
        }
        var offset = 0
        while offset < text.count {
            let count = text[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { throw ShimFailure("cannot write \(temporary): \(systemError(errno)); config.json was left as it was.") }
            offset += count
        }
        if owner.uid != geteuid() || owner.gid != getegid() {
            guard fchown(fd, owner.uid, owner.gid) == 0 else {
                throw ShimFailure(
                    "cannot give \(temporary) config.json's owner \(owner.uid):\(owner.gid): \(systemError(errno)); config.json was left as it was.")
            }
        }
        guard fchmod(fd, mode) == 0, fsync(fd) == 0 else {
            throw ShimFailure("cannot set the mode of or sync \(temporary): \(systemError(errno)); config.json was left as it was.")
        }
        guard rename(temporary, path) == 0 else {
            throw ShimFailure("cannot rename \(temporary) to \(path): \(systemError(errno)); config.json was left as it was.")
        }
        renamed = true
        // The rename itself survives a crash only once the directory is synced.
        let directoryFD = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directoryFD >= 0 {
            _ = fsync(directoryFD)
            close(directoryFD)
        }
    }
}
