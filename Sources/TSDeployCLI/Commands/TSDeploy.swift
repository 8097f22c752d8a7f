import ArgumentParser

/// The root command; each subcommand lives in its own file.
public struct TSDeploy: AsyncParsableCommand {
    public static let version = "0.1.0"

    public static let configuration = CommandConfiguration(
        commandName: "tsdeploy",
        abstract: "Infrastructure as code for tsdat data pipelines on AWS.",
        discussion: """
            Reads pipelines_config.yml and turns it into CloudFormation: a build stack \
            (buckets, image repository, CodePipeline) and a pipelines stack (one function, \
            log group and trigger per pipeline and site). Every command takes the branch \
            as its first argument (default: main).
            """,
        version: version,
        subcommands: [Synth.self, Bootstrap.self, Deploy.self, Diff.self, Destroy.self, List.self, Doctor.self])

    public init() {}
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
        if branch.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("the branch must not be empty")
        }
    }
}
