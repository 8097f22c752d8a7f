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
            let (selected, all) = try EngineSupport.selection(options)
            let (artifacts, added) = EngineSupport.withDependents(selected, all: all)
            let session = try aws.session()
            var stacks = try artifacts.map(DeployableStack.init)
            // Parts of a partition that a bigger config deployed go too.
            stacks += (try? await PartitionCheck.orphanStacks(stacks, session: session)) ?? []
            let names = stacks.map(\.name).joined(separator: ", ")
            if !added.isEmpty {
                Console.stderr("\(added.joined(separator: ", ")) depend\(added.count == 1 ? "s" : "") on the selected stack\(selected.count == 1 ? "" : "s") "
                               + "and will be deleted first (left alone, they would point at deleted resources).")
            }
            guard try await EngineSupport.proceed(force: force, question: "Delete \(names)? [y/N] ", needs: "destroy deletes \(names)",
                                                  hint: "pass --force to delete without asking", declined: "Nothing deleted.") else { return }
            EngineSupport.onInterrupt(branch: options.branch)
            let result = try await Destroyer(session: session, reporter: EngineSupport.reporter()).run(stacks)
            if result.deleted.isEmpty {
                throw CLIError("nothing to delete: \(names) \(stacks.count == 1 ? "is" : "are") not deployed in aws://\(stacks.first?.account ?? "?")/\(stacks.first?.region ?? "?")",
                               hint: "check the branch (`tsdeploy ls \(options.branch)`) and the config")
            }
            var text = "Deleted \(result.deleted.joined(separator: ", "))."
            if !result.notDeployed.isEmpty { text += " Not deployed, so not deleted: \(result.notDeployed.joined(separator: ", "))." }
            if result.retained.isEmpty {
                text += " Nothing was retained."
            } else {
                text += "\nRetained by DeletionPolicy (still in the account, delete them yourself if no longer needed):"
                for r in result.retained { text += "\n  \(r.type) \(r.physicalId ?? r.logicalId) (\(r.stack))" }
            }
            Console.stderr(text)
        }
    }
}
