/// Why a doctor step failed: its one-line detail, what is wrong and what to do.
struct DoctorFinding: Error {
    let detail: String
    let finding: String
    let fix: String

    init(_ detail: String, finding: String, fix: String) {
        self.detail = detail
        self.finding = finding
        self.fix = fix
    }
}

/// What a step that passed produced, with what it says about it.
struct DoctorPass<Value> {
    let value: Value
    let detail: String
    var warnings: [String] = []
}

extension DoctorPass {
    /// The same pass carrying another value.
    func map<Other>(_ transform: (Value) -> Other) -> DoctorPass<Other> {
        DoctorPass<Other>(value: transform(value), detail: detail, warnings: warnings)
    }
}

extension DoctorPass where Value == Void {
    init(_ detail: String, warnings: [String] = []) {
        self.init(value: (), detail: detail, warnings: warnings)
    }
}

/// The steps run so far; tells `progress` about each as it ends.
struct DoctorJournal: Sendable {
    private(set) var results: [DoctorStepResult] = []
    let progress: @Sendable (DoctorStepResult) -> Void

    init(progress: @escaping @Sendable (DoctorStepResult) -> Void) {
        self.progress = progress
    }

    /// Runs `body` as `step`, timed; nil when it failed (the chain stops there).
    mutating func run<Value>(
        _ step: DoctorStep, name: String? = nil, _ body: () throws(DoctorFinding) -> DoctorPass<Value>
    ) -> Value? {
        let started = ContinuousClock.now
        do { return record(try body(), step, name, since: started) } catch { return record(error, step, name, since: started) }
    }

    /// The same for a step that waits on something asynchronous (a plug-in).
    mutating func run<Value>(
        _ step: DoctorStep, name: String? = nil, _ body: () async throws(DoctorFinding) -> DoctorPass<Value>
    ) async -> Value? {
        let started = ContinuousClock.now
        do { return record(try await body(), step, name, since: started) } catch { return record(error, step, name, since: started) }
    }

    /// A step that passed (with or without warnings): its result, and the value it found.
    private mutating func record<Value>(_ pass: DoctorPass<Value>, _ step: DoctorStep, _ name: String?, since started: ContinuousClock.Instant) -> Value {
        record(
            DoctorStepResult(
                step: step, name: name, duration: ContinuousClock.now - started,
                outcome: pass.warnings.isEmpty ? .passed : .warning, detail: pass.detail, warnings: pass.warnings))
        return pass.value
    }

    /// A step that failed: its result with the finding and the fix; the chain stops here.
    private mutating func record<Value>(_ finding: DoctorFinding, _ step: DoctorStep, _ name: String?, since started: ContinuousClock.Instant) -> Value? {
        record(
            DoctorStepResult(
                step: step, name: name, duration: ContinuousClock.now - started, outcome: .failed,
                detail: finding.detail, finding: finding.finding, fix: finding.fix))
        return nil
    }

    private mutating func record(_ result: DoctorStepResult) {
        results.append(result)
        progress(result)
    }
}
