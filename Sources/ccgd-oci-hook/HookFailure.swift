/// Why the hook cannot do its job: one sentence saying what is wrong and what to do, naming the
/// input. At create it fails the container start (the runtime shows it to the user).
struct HookFailure: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// The text of `errno` for a system call's failure, e.g. "No such file or directory".
func systemError(_ code: Int32) -> String {
    String(cString: strerror(code))
}

import Glibc
