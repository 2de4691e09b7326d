import SecretMemory

extension SecretBuffer {
    /// Empty or only JSON white space: a program that printed no answer.
    package var isBlank: Bool {
        withBytes { $0.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D } }
    }
}
