import CCGPlugin
import CCGPluginABI
import XCTest
import Glibc
import PluginHost

/// What `PluginExport` hands the host, seen through `dlopen` as a C host would.
final class SharedObjectPluginExportTests: XCTestCase {
    private var directory: PluginDirectory!
    private var entry: ccgd_plugin_entry_fn!

    override func setUpWithError() throws {
        directory = try PluginDirectory()
        let path = try directory.swiftSample()
        let handle = try XCTUnwrap(dlopen(path, RTLD_NOW | RTLD_LOCAL), String(cString: dlerror()))
        entry = unsafeBitCast(try XCTUnwrap(dlsym(handle, "ccgd_plugin_entry")), to: ccgd_plugin_entry_fn.self)
    }

    override func tearDown() { directory.remove() }

    func testTableDescribesVersionOneWithItsSizeAndName() throws {
        let table = try XCTUnwrap(entry(1)).pointee
        XCTAssertEqual(table.abi_version, 1)
        XCTAssertEqual(table.struct_size, UInt32(MemoryLayout<ccgd_plugin_v1>.size))
        XCTAssertEqual(String(cString: try XCTUnwrap(table.name)), "Sample Swift plug-in")
        XCTAssertNotNil(table.get_password_credentials)
        XCTAssertNotNil(table.free_string)
    }

    func testEveryCallReturnsTheSameTable() throws {
        XCTAssertEqual(try XCTUnwrap(entry(1)), try XCTUnwrap(entry(1)))
    }

    func testANewerHostGetsTheVersionOneTable() throws {
        XCTAssertEqual(try XCTUnwrap(entry(2)).pointee.abi_version, 1)
    }

    func testAnOlderHostIsRefusedWithNull() {
        XCTAssertNil(entry(0))
    }

    func testFreeStringWipesAndFreesAnAnswer() throws {
        let table = try XCTUnwrap(entry(1)).pointee
        var domain: UnsafeMutablePointer<CChar>?, user: UnsafeMutablePointer<CChar>?
        var password: UnsafeMutablePointer<CChar>?, message: UnsafeMutablePointer<CChar>?
        let code = table.get_password_credentials?(table.context, "user@contoso.com", &domain, &user, &password, &message)
        XCTAssertEqual(code, CCGD_PLUGIN_OK)
        XCTAssertNil(message)
        XCTAssertEqual(String(cString: try XCTUnwrap(password)), samplePassword)
        for string in [domain, user, password] { table.free_string?(table.context, string) }
    }

    func testErrorCodesMatchTheHeader() {
        let codes: [(PluginError.Code, Int32)] = [
            (.invalidInput, CCGD_PLUGIN_E_INVALID_INPUT), (.notFound, CCGD_PLUGIN_E_NOT_FOUND),
            (.accessDenied, CCGD_PLUGIN_E_ACCESS_DENIED), (.unavailable, CCGD_PLUGIN_E_UNAVAILABLE),
            (.malformedSecret, CCGD_PLUGIN_E_MALFORMED_SECRET), (.failed, CCGD_PLUGIN_E_FAILED),
        ]
        for (code, value) in codes {
            XCTAssertEqual(code.abiCode, value)
            XCTAssertEqual(PluginError.Code(abiCode: value), code)
        }
        XCTAssertEqual(codes.map(\.1), Array(1...6))
        XCTAssertNil(PluginError.Code(abiCode: CCGD_PLUGIN_OK))
        XCTAssertEqual(PluginExport.abiVersion, SharedObjectPlugin.abiVersion)
    }
}
