import AWSClient
import ArgumentParser
import ConstructCore
import DeployEngine
import Foundation

/// What the AWS-facing commands share: synthesize and select stacks, pick a reporter for
/// the terminal or a log, ask questions only where someone can answer.
enum EngineSupport {
    static func stacks(_ options: ConfigOptions) throws -> [DeployableStack] {
        let result = try SynthPipeline(configPath: options.config, branch: options.branch).run()
        Console.printWarnings(result.warnings)
        let selected = try SynthPipeline.select(result.artifacts, names: options.stacks)
        return try StackArtifact.deploymentOrder(selected).map(DeployableStack.init)
    }

    static var interactive: Bool { isatty(0) == 1 && isatty(2) == 1 }

    static func reporter() -> any DeployReporter {
        let write: @Sendable (String) -> Void = { Console.stderr($0) }
        guard interactive, ProcessInfo.processInfo.environment["CI"] == nil else { return LineReporter(color: Console.colors, write: write) }
        let live = LiveReporter(write: write)
        // Once a second, so elapsed time advances while CloudFormation is quiet; ends with the process.
        Task.detached {
            while true {
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                live.tick()
            }
        }
        return live
    }

    /// A yes/no question on the terminal; nil without one (callers then need a flag).
    static var confirm: (@Sendable (String) async -> Bool)? {
        guard interactive else { return nil }
        return { question in
            FileHandle.standardError.write(Data(question.utf8))
            let answer = readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            return answer == "y" || answer == "yes"
        }
    }

    /// `KEY=VALUE` pairs from repeatable flags.
    static func pairs(_ items: [String], flag: String) throws -> [(String, String)] {
        try items.map { item in
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw CLIError("\(flag) takes KEY=VALUE, got '\(item)'")
            }
            return (String(item[..<eq]), String(item[item.index(after: eq)...]))
        }
    }

    /// Ctrl-C stops waiting, not CloudFormation: say so and how to keep watching.
    static func onInterrupt(_ stacks: [String]) {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .main)
        source.setEventHandler {
            Console.stderr("\nStopped waiting. CloudFormation carries on with what was started; follow it with "
                + "`tsdeploy ls` or `aws cloudformation describe-stack-events --stack-name \(stacks.first ?? "STACK")`.")
            exit(130)
        }
        source.resume()
        interruptSource = source
    }
    nonisolated(unsafe) static var interruptSource: (any DispatchSourceSignal)?
}

extension DeployOptions.Approval: ExpressibleByArgument {}
