import AWSClient
import ArgumentParser
import DeployEngine
import Foundation

public struct Diff: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Compare the synthesized stacks with the deployed ones.",
        discussion: "Creates nothing in AWS: a stack that is not deployed shows as all additions.")

    @OptionGroup public var options: ConfigOptions
    @OptionGroup public var aws: AWSOptions

    @Flag(help: "Exit 1 when there are differences.")
    public var fail = false

    @Flag(help: "Print the differences as JSON.")
    public var json = false

    @Option(help: "Compare against this template file instead of the deployed stack (needs one stack).")
    public var template: String?

    public init() {}

    public func run() async throws {
        let diffs = try await Console.runReportingErrors {
            var stacks = try EngineSupport.stacks(options)
            let session = try aws.session()
            if template == nil {
                // Parts of a partition no longer needed: deploy deletes them, so the diff shows it.
                stacks += (try? await PartitionCheck.orphanStacks(stacks, session: session)) ?? []
            }
            var local: JSONValue?
            if let template {
                guard stacks.count == 1 else { throw CLIError("--template compares one stack", hint: "add --stack NAME") }
                guard let data = FileManager.default.contents(atPath: template) else { throw CLIError("cannot read \(template)") }
                local = try JSONValue.parse(String(decoding: data, as: UTF8.self))
            }
            return try await StackInspector(session: session).diff(stacks, against: local)
        }
        if json {
            Console.stdout(DiffJSON.render(diffs))
        } else {
            let renderer = DiffRenderer(color: Console.colors && isatty(1) == 1, width: isatty(1) == 1 ? EngineSupport.terminalColumns() : nil)
            Console.stdout(diffs.map { renderer.render(stack: $0.stack, $0.diff, deployed: $0.deployed) }.joined(separator: "\n"))
            let changed = diffs.filter { !$0.diff.isEmpty }.count
            Console.stderr(changed == 0 ? "No differences" : "\(changed) of \(diffs.count) stack(s) differ")
        }
        if fail && diffs.contains(where: { !$0.diff.isEmpty }) { throw ExitCode(1) }
    }
}

enum DiffJSON {
    static func render(_ diffs: [StackInspector.StackDiff]) -> String {
        let object: [[String: Any]] = diffs.map { d in
            [
                "stack": d.stack, "deployed": d.deployed, "differs": !d.diff.isEmpty, "broadening": d.diff.isBroadening,
                "resources": d.diff.resources.map { r -> [String: Any] in
                    [
                        "change": r.kind == .added ? "add" : r.kind == .removed ? "remove" : "modify",
                        "logicalId": r.logicalId, "type": r.type, "path": r.path ?? NSNull(),
                        "replacement": r.replacement.rawValue, "replacementWillFail": r.replacementWillFail,
                        "properties": r.properties.map { $0.name },
                    ]
                },
                "parameters": d.diff.parameters.map(\.name), "outputs": d.diff.outputs.map(\.name),
                "iam": d.diff.iam.map { ["change": $0.kind == .added ? "add" : "remove", "effect": $0.effect, "actions": $0.actions, "resource": $0.resource] },
            ]
        }
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
