import SystemBasics

/// How one step of the chain went. Never holds a secret: details name accounts, DCs, enctypes,
/// salts and key versions, never passwords or keys.
package struct DoctorStepResult: Sendable {
    package enum Outcome: String, Sendable {
        case passed
        /// Passed, with something an operator should fix before it bites.
        case warning
        case failed
    }

    package let step: DoctorStep
    /// The step's name as shown (`step.name`, or "LDAPS bind" for the bind over TLS).
    package let name: String
    package let duration: Duration
    package let outcome: Outcome
    /// What the step found, on one line.
    package let detail: String
    package let warnings: [String]
    /// On failure: what is wrong, in a sentence.
    package let finding: String?
    /// On failure: what to do about it, in a sentence.
    package let fix: String?

    package init(
        step: DoctorStep, name: String? = nil, duration: Duration, outcome: Outcome, detail: String,
        warnings: [String] = [], finding: String? = nil, fix: String? = nil
    ) {
        self.step = step
        self.name = name ?? step.name
        self.duration = duration
        self.outcome = outcome
        self.detail = detail
        self.warnings = warnings
        self.finding = finding
        self.fix = fix
    }

    /// The duration in milliseconds, for people and scripts.
    package var milliseconds: Double {
        duration.secondsValue * 1000
    }
}

/// What `ccgctl doctor` found: the steps it ran, up to and including the first failure.
package struct DoctorReport: Sendable {
    /// The CredSpec as given (a path or a name).
    package let credSpec: String
    package let steps: [DoctorStepResult]

    package init(credSpec: String, steps: [DoctorStepResult]) {
        self.credSpec = credSpec
        self.steps = steps
    }

    /// True when every step of the chain ran and none failed (warnings allowed).
    package var passed: Bool { failure == nil && steps.count == DoctorStep.allCases.count }

    /// The step that stopped the chain.
    package var failure: DoctorStepResult? { steps.first { $0.outcome == .failed } }

    /// Every warning with the name of its step, in order.
    package var warnings: [(step: String, text: String)] {
        steps.flatMap { step in step.warnings.map { (step.name, $0) } }
    }
}
