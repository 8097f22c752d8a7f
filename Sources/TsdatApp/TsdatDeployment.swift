import CloudFormation
import ConstructCore

/// Builds the construct tree of one branch's deployment from a validated config.
public struct TsdatDeployment {
    public let app: App
    public let codePipelineStack: CodePipelineStack
    public let pipelinesStack: PipelinesStack
    /// Names shortened to fit AWS limits, reported as warnings.
    public let shortenedNames: [(kind: String, full: String, short: String)]

    public static let ownerMetadataType = "tsdeploy:owner"
    public static let ownerTag = "tsdeploy:branch"

    public init(config: PipelinesConfig, branch: String) {
        var names = TsdatNames(repo: config.pipelinesRepoName, branch: branch)
        app = App()
        codePipelineStack = CodePipelineStack(app, config: config, names: &names)
        pipelinesStack = PipelinesStack(app, config: config, names: &names, producer: codePipelineStack)
        let tags = config.tags
        for stack in [codePipelineStack, pipelinesStack] as [Stack] {
            stack.tags = tags
            // A stack tag only (not on every resource): the engine reads it to refuse a
            // stack of the same name that another branch or tool deployed.
            stack.addEngineMetadata(Self.ownerMetadataType, ["tag": .string(Self.ownerTag), "value": .string(branch)], at: stack)
        }
        shortenedNames = names.shortened
    }
}
