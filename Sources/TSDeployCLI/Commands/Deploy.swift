import AWSClient
import ArgumentParser
import DeployEngine
import Foundation
import TsdatApp

public struct Deploy: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Deploy the stacks of a branch through CloudFormation change sets.",
        discussion: """
            Stacks deploy in dependency order, independent ones side by side. A stack whose \
            template, parameters and tags are unchanged is skipped without a change set. \
            Changes that broaden IAM permissions need a yes (or --require-approval never).
            """)

    @OptionGroup public var options: ConfigOptions
    @OptionGroup public var aws: AWSOptions

    @Flag(help: "Deploy even when nothing changed.")
    public var force = false

    @Option(help: "When to ask before executing a change set: never, any-change, broadening.")
    public var requireApproval: DeployOptions.Approval = .broadening

    @Option(help: "How many independent stacks deploy at once (1 or more).")
    public var concurrency = 2

    @Flag(help: "Deploy changes that delete or replace a resource holding data (bucket, repository, log group, table, user pool…) without asking.")
    public var allowDestroyData = false

    @Option(name: .customLong("parameters"), help: "PARAM=VALUE or STACK:PARAM=VALUE; repeatable.")
    public var parameters: [String] = []

    @Option(name: .customLong("tags"), help: "KEY=VALUE tags for every stack; repeatable.")
    public var tags: [String] = []

    @Option(help: "Write the stacks' outputs as JSON to this file.")
    public var outputsFile: String?

    @Flag(help: "Fail instead of skipping a stack whose function images are not in ECR yet (the build uses it).")
    public var requireImages = false

    @Option(help: "The toolkit qualifier used at bootstrap.")
    public var qualifier = ToolkitNames.defaultQualifier

    @Option(help: "Pin each function to the image built from this checkout of the pipelines repository (by content tag, resolved to its digest in ECR); the build uses it.")
    public var pipelinesDir: String?

    @Option(help: "The Linux x86-64 tsdeploy the build runs (default: this binary, when it is the packaged one).")
    public var tsdeployBinary: String?

    @Flag(help: "Fail before any change unless the stacks not selected with --stack are deployed exactly as synthesized (the build: it deploys only the functions).")
    public var buildStackUnchanged = false

    @Flag(help: "Let CloudFormation act with the caller's permissions even when the toolkit has an execution role.")
    public var noExecutionRole = false

    public init() {}

    public func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be 1 or more, got \(concurrency)") }
    }

    public func run() async throws {
        try await Console.runReportingErrors {
            let synthesis = try EngineSupport.synthesis(options)
            let stacks = try synthesis.selected.map(DeployableStack.init)
            var deployOptions = DeployOptions()
            deployOptions.force = force
            deployOptions.requireApproval = requireApproval
            deployOptions.confirm = EngineSupport.confirm
            deployOptions.allowDataLoss = allowDestroyData
            deployOptions.width = EngineSupport.terminalColumns()
            var deployment = Deployment(session: try aws.session(), reporter: EngineSupport.reporter(), options: deployOptions)
            deployment.concurrency = concurrency
            deployment.requireImages = requireImages
            deployment.qualifier = qualifier
            deployment.parameterOverrides = Dictionary(try EngineSupport.pairs(parameters, flag: "--parameters"), uniquingKeysWith: { _, b in b })
            deployment.branch = options.branch
            deployment.useExecutionRole = !noExecutionRole
            deployment.appStacks = try synthesis.all.map(DeployableStack.init)
            if buildStackUnchanged {
                deployment.mustBeDeployedAsSynthesized = try synthesis.all
                    .filter { a in !synthesis.selected.contains { $0.stackName == a.stackName } }.map(DeployableStack.init)
            }
            if let pipelinesDir {
                let plan = try BuildPlan(deployment: synthesis.result.deployment, config: synthesis.result.config,
                                         branch: options.branch, pipelinesDir: URL(fileURLWithPath: pipelinesDir))
                deployment.pinnedImages = plan.images.map {
                    .init(parameter: $0.parameter, repository: plan.repositoryName, tag: $0.sourceTag, label: "pipeline \($0.pipeline)")
                }
            }
            if stacks.contains(where: { !$0.fileAssets.isEmpty }) {
                let binary = try SelfBinary.forBuild(explicit: tsdeployBinary)
                if let path = binary.path { deployment.fileSources["tsdeploy-binary"] = path }
                if let why = binary.whyNot { deployment.missingFileSources["tsdeploy-binary"] = why }
            }
            deployment.extraTags = try EngineSupport.pairs(tags, flag: "--tags").map { CloudFormation.Tag(key: $0.0, value: $0.1) }
            EngineSupport.onInterrupt(branch: options.branch)
            let started = Date()
            let results = try await deployment.run(stacks)
            var outputs: [String: [String: String]] = [:]
            var summary: [String] = []
            for (stack, result) in results {
                switch result {
                case .noChanges: summary.append("\(stack): no changes")
                case .deployed(let o):
                    summary.append("\(stack): deployed")
                    outputs[stack] = Dictionary(o.map { ($0.key, $0.value) }, uniquingKeysWith: { a, _ in a })
                case .skipped(let why): summary.append("\(stack): skipped (\(why))")
                case .deleted: summary.append("\(stack): deleted (no longer needed)")
                }
            }
            if let outputsFile {
                let data = try JSONSerialization.data(withJSONObject: outputs, options: [.prettyPrinted, .sortedKeys])
                try data.write(to: URL(fileURLWithPath: outputsFile), options: .atomic)
            }
            Console.stderr(summary.joined(separator: "\n") + "\nDone in \(String(format: "%.1f", Date().timeIntervalSince(started))) s")
            // A stack held back for data it would delete is a stop, not a success.
            if results.contains(where: { $0.result == .skipped("would delete data") }) { throw ExitCode(1) }
        }
    }
}
