import AWSClient
import ArgumentParser
import DeployEngine
import Foundation

public struct Destroy: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Delete the stacks of a branch, dependents first; lists what is retained.")

    @OptionGroup public var options: ConfigOptions
    @OptionGroup public var aws: AWSOptions

    @Flag(help: "Do not ask for confirmation (required without a terminal).")
    public var force = false

    public init() {}

    public func run() async throws {
        try await Console.runReportingErrors {
            let stacks = try EngineSupport.stacks(options)
            let names = stacks.map(\.name).joined(separator: ", ")
            if !force {
                guard let confirm = EngineSupport.confirm else {
                    throw CLIError("destroy deletes \(names) and needs confirmation, but there is no terminal to ask on",
                                   hint: "pass --force to delete without asking")
                }
                guard await confirm("Delete \(names)? [y/N] ") else {
                    Console.stderr("Nothing deleted.")
                    return
                }
            }
            EngineSupport.onInterrupt(stacks.map(\.name))
            let retained = try await Destroyer(session: try aws.session(), reporter: EngineSupport.reporter()).run(stacks)
            if retained.isEmpty {
                Console.stderr("Deleted \(names); nothing was retained.")
            } else {
                var text = "Deleted \(names). Retained by DeletionPolicy (still in the account, delete them yourself if no longer needed):"
                for r in retained { text += "\n  \(r.type) \(r.physicalId ?? r.logicalId) (\(r.stack))" }
                Console.stderr(text)
            }
        }
    }
}
