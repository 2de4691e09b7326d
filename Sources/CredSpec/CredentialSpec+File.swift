import Foundation

extension CredentialSpec {
    /// Reads, parses and validates the CredSpec file at `url`; the only I/O in this module.
    public static func read(contentsOf url: URL) throws(CredentialSpecError) -> CredentialSpec {
        let data: Data
        do {
            let handle = try FileHandle(forReadingFrom: url)
            defer { try? handle.close() }
            // One byte more than allowed is enough to tell that a file is too large.
            data = try handle.read(upToCount: maximumByteCount + 1) ?? Data()
        } catch {
            throw .unreadable(path: url.path, reason: reason(for: error))
        }
        return try CredentialSpec(jsonData: data)
    }

    /// The POSIX error text (e.g. "No such file or directory") rather than Foundation's full sentence.
    private static func reason(for error: any Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError, underlying.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(underlying.code)))
        }
        if nsError.domain == NSPOSIXErrorDomain { return String(cString: strerror(Int32(nsError.code))) }
        return nsError.localizedDescription
    }
}
