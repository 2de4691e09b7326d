import Configuration

/// libFuzzer entry: ccgd.conf text as an operator may write it. Every problem must name a line
/// of the file (or none), never one past its end.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzConfiguration(_ data: UnsafeRawPointer, _ size: Int) -> CInt {
    // ServiceConfiguration.load refuses text that is not UTF-8 before parsing it.
    guard let text = String(validating: UnsafeRawBufferPointer(start: data, count: size), as: UTF8.self) else { return 0 }
    do {
        let configuration = try ServiceConfiguration(text: text, file: "/fuzz/ccgd.conf")
        _ = configuration.domain("CONTOSO.TEST")
    } catch {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        for problem in error.problems {
            precondition(problem.line.map { (1...lines).contains($0) } ?? true, "a problem names a line outside the file")
        }
        _ = error.description
    }
    return 0
}
