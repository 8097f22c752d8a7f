import ArgumentParser
import CBuildSupport
import Foundation
import TsdatApp

/// The root command; each subcommand lives in its own file.
public struct TSDeploy: AsyncParsableCommand {
    public static let version = "0.1.0"
    public static let commit = String(cString: tsdeploy_build_commit())

    public static let configuration = CommandConfiguration(
        commandName: "tsdeploy",
        abstract: "Infrastructure as code for tsdat data pipelines on AWS.",
        discussion: """
            Reads pipelines_config.yml and turns it into CloudFormation: a build stack \
            (buckets, image repository, CodePipeline) and a pipelines stack (one function, \
            log group and trigger per pipeline and site). Every command takes the branch \
            as its first argument (default: main).
            """,
        version: "\(version) (commit \(commit))",
        subcommands: [Synth.self, Bootstrap.self, Deploy.self, Diff.self, Destroy.self, List.self, BuildPlanCommand.self, LogsCommand.self, Migrate.self, Doctor.self])

    public init() {}

    /// Exit codes: 0 success, 1 an error (or `diff --fail` finding differences), 2 a usage
    /// error (unknown flag, bad argument), 130/143 interrupted. ArgumentParser's own usage
    /// code is 64; it is mapped to 2 here so scripts see one scheme.
    public static func runMain() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            exit(withError: error)
        }
    }
}

/// Options every command that reads the config shares.
public struct ConfigOptions: ParsableArguments {
    @Argument(help: "The branch to work on; names and sources of every resource derive from it.")
    public var branch: String = "main"

    @Option(name: .shortAndLong, help: "The pipelines config file.")
    public var config: String = "pipelines_config.yml"

    @Option(name: .customLong("stack"), help: "Only this stack (name or id, e.g. PipelinesStack); repeatable.")
    public var stacks: [String] = []

    public init() {}

    public func validate() throws {
        if let (message, hint) = BranchName.problem(branch) { throw ValidationError("\(message)\n  hint: \(hint)") }
    }
}
