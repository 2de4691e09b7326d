internal import CKrb5
import KerberosKeys
import Glibc

extension Keytab {
    /// The bytes of a keytab file holding `entries`, written by libkrb5 into an anonymous memory
    /// file: the keys never reach a disk, and none of the fsyncs libkrb5 does after every entry
    /// of a FILE keytab is paid. Nil where the process has no memory files (no memfd or no /proc):
    /// the caller writes a file instead.
    package static func fileBytes(of entries: [KeytabEntry], context: KerberosContext) throws(KerberosError) -> SecretBytes? {
        let fd = ccgd_memfd_create("ccgd-keytab")
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        // libkrb5 adds to an existing file only after the keytab's version header (0x0502).
        let header: [UInt8] = [0x05, 0x02]
        guard Glibc.write(fd, header, 2) == 2 else { return nil }
        let path = "/proc/self/fd/\(fd)"
        guard access(path, R_OK | W_OK) == 0 else { return nil }
        do {
            let keytab = try Keytab(path: path, context: context)
            try keytab.add(entries)
        }
        var status = stat()
        guard fstat(fd, &status) == 0 else { return nil }
        var complete = true
        let bytes = SecretBytes(count: Int(status.st_size)) { buffer in
            var offset = 0
            while offset < buffer.count {
                let count = pread(fd, buffer.baseAddress! + offset, buffer.count - offset, off_t(offset))
                guard count > 0 else { complete = false; return }
                offset += count
            }
        }
        // The memory file's pages go with its last descriptor; empty it first so nothing lingers.
        ftruncate(fd, 0)
        return complete ? bytes : nil
    }
}
