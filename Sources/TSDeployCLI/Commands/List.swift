import ArgumentParser
import ConstructCore

public struct List: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List the stacks of a branch with their dependencies.")

    @OptionGroup public var options: ConfigOptions

    @Flag(name: .shortAndLong, help: "Also show each stack's environment, dependencies and resource count.")
    public var long = false

    public init() {}

    public func run() throws {
        let result = try Console.runReportingErrors {
            try SynthPipeline(configPath: options.config, branch: options.branch).run()
        }
        let selected = try Console.runReportingErrors { try SynthPipeline.select(result.artifacts, names: options.stacks) }
        var out = ""
        for a in StackArtifact.deploymentOrder(selected) {
            out += a.stackName + "\n"
            if long {
                out += "  environment:  \(a.environment.uri)\n"
                out += "  resources:    \(a.template.resources.count)\n"
                out += "  depends on:   \(a.dependencies.isEmpty ? "-" : a.dependencies.joined(separator: ", "))\n"
            }
        }
        Console.stdout(out)
    }
}
