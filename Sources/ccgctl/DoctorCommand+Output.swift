import Foundation
import OperatorTools

/// How `ccgctl doctor` prints its report: a line per step, then the diagnosis; or JSON.
enum DoctorText {
    static let nameWidth = DoctorStep.allCases.map(\.name.count).max() ?? 20

    /// `✓ portable-user login    25 ms  TGT for …`
    static func line(_ step: DoctorStepResult) -> String {
        let mark =
            switch step.outcome {
            case .passed: "✓"
            case .warning: "!"
            case .failed: "✗"
            }
        let name = step.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0)
        let time = "\(Int(step.milliseconds.rounded())) ms"
        return "\(mark) \(name) \(String(repeating: " ", count: max(0, 8 - time.count)))\(time)  \(step.detail)"
    }

    /// What follows the step lines: the diagnosis and fix, or that all passed; then the warnings.
    static func summary(_ report: DoctorReport) -> String {
        var lines = [""]
        if let failure = report.failure {
            lines.append("Diagnosis (\(failure.name)): \(failure.finding ?? failure.detail)")
            if let fix = failure.fix { lines.append("Fix: \(fix)") }
        } else {
            let count = report.warnings.count
            lines.append("All \(report.steps.count) steps passed" + (count == 0 ? "." : " with \(count) warning\(count == 1 ? "" : "s")."))
        }
        for warning in report.warnings {
            lines.append("Warning (\(warning.step)): \(warning.text)")
        }
        return lines.joined(separator: "\n")
    }

    private struct Document: Encodable {
        struct Step: Encodable {
            let step: String
            let name: String
            let outcome: String
            let milliseconds: Double
            let detail: String
            let warnings: [String]
            let finding: String?
            let fix: String?

            enum CodingKeys: String, CodingKey { case step, name, outcome, milliseconds, detail, warnings, finding, fix }

            // Absent values as null, so every step has the same keys.
            func encode(to encoder: any Encoder) throws {
                var container = encoder.container(keyedBy: CodingKeys.self)
                try container.encode(step, forKey: .step)
                try container.encode(name, forKey: .name)
                try container.encode(outcome, forKey: .outcome)
                try container.encode(milliseconds, forKey: .milliseconds)
                try container.encode(detail, forKey: .detail)
                try container.encode(warnings, forKey: .warnings)
                try container.encode(finding, forKey: .finding)
                try container.encode(fix, forKey: .fix)
            }
        }

        let credSpec: String
        let passed: Bool
        let failedStep: String?
        let steps: [Step]

        enum CodingKeys: String, CodingKey { case credSpec, passed, failedStep, steps }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(credSpec, forKey: .credSpec)
            try container.encode(passed, forKey: .passed)
            try container.encode(failedStep, forKey: .failedStep)
            try container.encode(steps, forKey: .steps)
        }
    }

    static func json(_ report: DoctorReport) -> String {
        let document = Document(
            credSpec: report.credSpec, passed: report.passed, failedStep: report.failure?.step.identifier,
            steps: report.steps.map { step in
                Document.Step(
                    step: step.step.identifier, name: step.name, outcome: step.outcome.rawValue,
                    milliseconds: (step.milliseconds * 10).rounded() / 10, detail: step.detail,
                    warnings: step.warnings, finding: step.finding, fix: step.fix)
            })
        // Foundation's encoder, as for `ccgctl fetch --json` (FetchReport): the layout scripts read.
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        guard let data = try? encoder.encode(document) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }
}
