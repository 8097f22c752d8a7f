import AWSClient
import ArgumentParser
import ConstructCore
import DeployEngine
import Foundation

public struct List: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "ls",
        abstract: "List the stacks of a branch with their deployed status.")

    @OptionGroup public var options: ConfigOptions
    @OptionGroup public var aws: AWSOptions

    @Flag(name: .shortAndLong, help: "Also show each stack's environment, dependencies and resource count.")
    public var long = false

    @Flag(help: "Do not ask AWS for the deployed status.")
    public var offline = false

    public init() {}

    public func run() async throws {
        let result = try Console.runReportingErrors {
            try SynthPipeline(configPath: options.config, branch: options.branch).run()
        }
        let selected = StackArtifact.deploymentOrder(try Console.runReportingErrors { try SynthPipeline.select(result.artifacts, names: options.stacks) })
        var statuses: [String: (String?, Date?)] = [:]
        var unavailable: String?
        var failure: Error?
        if !offline {
            do {
                let stacks = try selected.map(DeployableStack.init)
                for s in try await StackInspector(session: try aws.session()).status(stacks) { statuses[s.stack] = (s.status, s.lastChanged) }
            } catch {
                unavailable = (error as? AWSError)?.code ?? (error as? CredentialError).map { _ in "no credentials" } ?? "unavailable"
                failure = error
            }
        }
        let width = selected.map(\.stackName.count).max() ?? 0
        var out = ""
        for a in selected {
            var line = a.stackName
            if !offline {
                line = line.padding(toLength: width + 2, withPad: " ", startingAt: 0)
                if let unavailable {
                    line += "status unknown (\(unavailable))"
                } else if let (status, changed) = statuses[a.stackName], let status {
                    line += status + (changed.map { "  " + Timestamps.iso8601String($0) } ?? "")
                } else {
                    line += "not deployed"
                }
            }
            out += line + "\n"
            if long {
                out += "  environment:  \(a.environment.uri)\n"
                out += "  resources:    \(a.template.resources.count)\n"
                out += "  depends on:   \(a.dependencies.isEmpty ? "-" : a.dependencies.joined(separator: ", "))\n"
            }
        }
        Console.stdout(out)
        // The list is printed either way; the status could not be read, which is a failure.
        if let failure { throw Console.report(failure) }
    }
}
