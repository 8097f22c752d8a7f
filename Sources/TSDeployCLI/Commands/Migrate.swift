import AWSClient
import ArgumentParser
import DeployEngine
import Foundation
import TsdatApp

public struct Migrate: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Take over a branch deployed by tsdat/aws-template (AWS CDK), keeping every bucket, image and log.",
        discussion: """
            Shows the plan, then on confirmation (or --force): retains the CDK stack's data and \
            removes the tags that make CDK's auto-delete resources empty it, deletes that stack, \
            imports the buckets and image repository into the build stack, removes the old build's \
            notifications, rules and functions, imports their log groups into the functions stack, \
            and deploys both. Each step is skipped when done, so an interrupted migrate is run again. \
            docs/migration.md explains every step.
            """)

    @OptionGroup public var options: ConfigOptions
    @OptionGroup public var aws: AWSOptions

    @Flag(help: "Do not ask for confirmation (required without a terminal).")
    public var force = false

    @Option(help: "The toolkit qualifier used at bootstrap.")
    public var qualifier = ToolkitNames.defaultQualifier

    @Option(help: "The Linux x86-64 tsdeploy the build runs (default: this binary, when it is the packaged one).")
    public var tsdeployBinary: String?

    public init() {}

    public func run() async throws {
        try await Console.runReportingErrors {
            let synthesis = try EngineSupport.synthesis(options)
            let config = synthesis.result.config
            let functions = try SynthPipeline.select(synthesis.all, names: ["PipelinesStack"])
            guard let build = synthesis.all.first(where: { $0.displayName == "CodePipelineStack" }), !functions.isEmpty else {
                throw CLIError("the app has no CodePipelineStack and PipelinesStack to migrate into")
            }
            let session = try aws.session()
            let buildStack = try DeployableStack(build), functionsStacks = try functions.map(DeployableStack.init)
            _ = try await EnvironmentCheck.verify([buildStack] + functionsStacks, session: session)
            let legacy = config.pipelines.flatMap { p in
                p.sites.map { TsdatNames.legacyFunctionName(repo: config.pipelinesRepoName, branch: options.branch, pipeline: p.name, site: $0.id) }
            }
            let spec = Takeover.Spec(oldStackName: buildStack.name, buildStack: buildStack, functionsStacks: functionsStacks,
                                     legacyFunctions: legacy,
                                     legacyFunctionPrefix: TsdatNames.legacyFunctionPrefix(repo: config.pipelinesRepoName, branch: options.branch),
                                     inputBucket: config.inputBucketName)
            let reporter = EngineSupport.reporter()
            var deployOptions = DeployOptions()
            deployOptions.requireApproval = .never
            deployOptions.confirm = EngineSupport.confirm
            deployOptions.width = EngineSupport.terminalColumns()
            let takeover = Takeover(session: session, spec: spec, reporter: reporter, options: deployOptions, region: config.region)
            let plan = try await takeover.plan()
            Console.stderr(Takeover.render(plan, spec: spec, account: config.accountId, region: config.region))
            if plan.nothingToDo {
                Console.stderr("Nothing to migrate: branch \(options.branch) is deployed by tsdeploy.")
                return
            }
            guard try await EngineSupport.proceed(force: force, question: "Migrate? [y/N] ", needs: "migrate changes the account as listed above",
                                                  hint: "review the plan, then pass --force", declined: "Nothing changed.") else { return }
            EngineSupport.onInterrupt(branch: options.branch)
            let binary = try SelfBinary.forBuild(explicit: tsdeployBinary)
            let qualifier = self.qualifier, branch = options.branch, engineOptions = deployOptions
            try await takeover.run(plan) { stack in
                var deployment = Deployment(session: session, reporter: reporter, options: engineOptions)
                deployment.qualifier = qualifier
                deployment.branch = branch
                if let path = binary.path { deployment.fileSources["tsdeploy-binary"] = path }
                if let why = binary.whyNot { deployment.missingFileSources["tsdeploy-binary"] = why }
                return try await deployment.run([stack]).first?.result ?? .noChanges
            }
            Console.stderr("Migrated: branch \(options.branch) is now deployed by tsdeploy (`tsdeploy ls \(options.branch)`). "
                           + "Point the CodeStar connection's repositories at the new pipeline as docs/migration.md says.")
        }
    }
}
