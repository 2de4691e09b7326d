internal import CCGPluginABI

/// Makes a `DomainAuthCredentials` a shared-object plug-in: ccgd loads the `.so` and calls it through
/// the C ABI of `ccgd_plugin.h`, so it need not be built by the same Swift compiler as ccgd.
///
/// Build a `.dynamic` library product that depends on `CCGPlugin` and export the entry point:
/// ```swift
/// @_cdecl("ccgd_plugin_entry")
/// public func ccgdPluginEntry(_ hostABIVersion: UInt32) -> UnsafeRawPointer? {
///     PluginExport.table(for: MyPlugin(), name: "My plug-in", hostABIVersion: hostABIVersion)
/// }
/// ```
public enum PluginExport {
    /// The version of the C ABI this library writes tables for (`CCGD_PLUGIN_ABI_VERSION`).
    public static let abiVersion: UInt32 = CCGD_PLUGIN_ABI_VERSION

    /// The process's one `struct ccgd_plugin_v1` for `plugin`, or nil when the host speaks an older ABI.
    ///
    /// The first call makes the plug-in and the table; later calls return that same table and do not
    /// evaluate `plugin` again. The table lives until the process exits. Each call through it runs
    /// `passwordCredentials` as a task and blocks the calling C thread until the task finishes
    /// (ccgd calls from a thread of its own, never from the Swift concurrency pool). A `PluginError`
    /// keeps its code and message; any other error becomes `failed` with its description, so
    /// errors must not hold secrets.
    public static func table<Plugin: DomainAuthCredentials>(
        for plugin: @autoclosure () -> Plugin, name: String, hostABIVersion: UInt32
    ) -> UnsafeRawPointer? {
        guard hostABIVersion >= CCGD_PLUGIN_ABI_VERSION else { return nil }
        return UnsafeRawPointer(ExportedTable.shared.table(name: name, makePlugin: plugin))
    }
}
