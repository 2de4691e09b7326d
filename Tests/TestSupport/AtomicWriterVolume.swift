import Foundation

/// A directory laid out and updated as the kubelet's atomic writer does for a ConfigMap or Secret
/// volume (kubernetes pkg/volume/util/atomic_writer.go): the files in a hidden timestamped
/// directory `..2026_12_07_16_00_00.123456789` (mode 0755), `..data` a symlink to it, and each key
/// a symlink `NAME -> ..data/NAME`. An update writes a new timestamped directory, makes the
/// symlink `..data_tmp` and renames it over `..data` (the atomic step), links new keys, unlinks
/// keys gone and removes the old directory — in that order.
package struct AtomicWriterVolume {
    package let path: String

    /// The volume at `path`, made (with `mode`, as the kubelet's: 0777 for a ConfigMap's
    /// directory, 01777 for a Secret's tmpfs) unless it exists.
    package init(at path: String, mode: Int = 0o777) throws {
        self.path = path
        if !FileManager.default.fileExists(atPath: path) { try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true) }
        guard chmod(path, mode_t(mode)) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
    }

    /// The timestamped directory `..data` points to now (nil: none yet).
    package var dataDirectory: String? { try? FileManager.default.destinationOfSymbolicLink(atPath: path + "/..data") }

    /// Makes the volume hold exactly `files` (key → content), each with `mode` (a volume's
    /// `defaultMode`: 0644 unless set), as one atomic update.
    package func write(_ files: [String: String], mode: Int = 0o644) throws {
        let manager = FileManager.default
        let old = dataDirectory
        let oldKeys = Set(((try? manager.contentsOfDirectory(atPath: path)) ?? []).filter { !$0.hasPrefix("..") })
        // os.MkdirTemp(targetDir, time.Now().UTC().Format("..2006_01_02_15_04_05.")) and chmod 0755.
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "'..'yyyy_MM_dd_HH_mm_ss'.'"
        var timestamped = formatter.string(from: Date()) + String(UInt32.random(in: 0...UInt32.max))
        while manager.fileExists(atPath: path + "/" + timestamped) { timestamped += "0" }
        try manager.createDirectory(atPath: path + "/" + timestamped, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o755])
        for (name, content) in files {
            let file = path + "/" + timestamped + "/" + name
            try Data(content.utf8).write(to: URL(fileURLWithPath: file))
            guard chmod(file, mode_t(mode)) == 0 else { throw POSIXError(.EIO) }
        }
        try? manager.removeItem(atPath: path + "/..data_tmp")
        guard symlink(timestamped, path + "/..data_tmp") == 0, rename(path + "/..data_tmp", path + "/..data") == 0 else {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        for name in files.keys where !oldKeys.contains(name) {
            guard symlink("..data/" + name, path + "/" + name) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        }
        for name in oldKeys.subtracting(files.keys) { try manager.removeItem(atPath: path + "/" + name) }
        if let old { try manager.removeItem(atPath: path + "/" + old) }
    }
}
