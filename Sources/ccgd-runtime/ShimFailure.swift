import Glibc

/// Why ccgd-runtime cannot hand a container over to the real runtime as asked: one sentence
/// saying what is wrong and what to do, naming the input. At create it fails the container.
struct ShimFailure: Error, CustomStringConvertible, Equatable {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}

/// The text of `errno` for a system call's failure, e.g. "No such file or directory".
func systemError(_ code: Int32) -> String {
    String(cString: strerror(code))
}
