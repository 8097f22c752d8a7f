import CloudFormation
import ConstructCore

/// Builds the construct tree of one branch's deployment from a validated config.
public struct TsdatDeployment {
    public let app: App
    public let codePipelineStack: CodePipelineStack
    /// The functions stacks, in order: one per 400 resources' worth of sites (about 66).
    public let pipelinesStacks: [PipelinesStack]
    /// Which functions stack each site (`pipeline/site`) is in; recorded in the layout file.
    public let layout: StackPartition.Layout
    /// Names shortened to fit AWS limits, reported as warnings.
    public let shortenedNames: [(kind: String, full: String, short: String)]

    public var pipelinesStack: PipelinesStack { pipelinesStacks[0] }
    /// Every pipeline's image (tag, parameter), across the functions stacks.
    public var images: [(pipeline: String, tag: String, parameter: String)] {
        var seen: Set<String> = []
        return pipelinesStacks.flatMap(\.images).filter { seen.insert($0.pipeline).inserted }
    }

    public static let ownerMetadataType = "tsdeploy:owner"
    public static let ownerTag = "tsdeploy:branch"

    /// `layout`: where sites were placed before (nil: nowhere yet); sites keep their stack.
    public init(config: PipelinesConfig, branch: String, layout previous: StackPartition.Layout? = nil,
                partition: StackPartition = StackPartition()) {
        var names = TsdatNames(repo: config.pipelinesRepoName, branch: branch)
        app = App()
        let units = config.pipelines.flatMap { p in p.sites.map { (key: Self.unitKey(p, $0), resources: PipelinesStack.resourcesPerSite) } }
        layout = partition.place(units, layout: previous)
        names.rulesUnderFunctionPrefix = units.count > CodePipelineStack.exactGrantSites
        let numbers = Set(layout.stacks.values).sorted()
        codePipelineStack = CodePipelineStack(app, config: config, names: &names,
                                              functionStacks: (numbers.isEmpty ? [1] : numbers).map { names.pipelinesStack($0) })
        // Image parameters are named once for the whole app, so a pipeline's parameter is the
        // same in every stack that has one of its sites (the build pins them by name).
        var taken: Set<String> = []
        var images: [String: (tag: String, parameter: Parameter)] = [:]
        for p in config.pipelines {
            let tag = names.imageTag(p.name)
            images[p.name] = (tag, PipelinesStack.imageParameter(for: p, tag: tag, taken: &taken))
        }
        var stacks: [Int: PipelinesStack] = [:]
        for n in numbers.isEmpty ? [1] : numbers {
            stacks[n] = PipelinesStack(app, number: n, config: config, names: names, producer: codePipelineStack)
        }
        for p in config.pipelines {
            for site in p.sites {
                stacks[layout.stacks[Self.unitKey(p, site)] ?? 1]!.addSite(p, site, image: images[p.name]!, names: &names)
            }
        }
        pipelinesStacks = stacks.keys.sorted().map { stacks[$0]! }
        // The engine deletes a part no longer synthesized, and stops when a site would move.
        let parts: [TemplateValue] = pipelinesStacks.map { .string($0.stackName) }
        for stack in pipelinesStacks {
            stack.addEngineMetadata(StackPartition.partitionMetadataType,
                                    ["partition": "PipelinesStack", "base": .string(names.pipelinesStack(1)), "parts": .array(parts)], at: stack)
        }
        let tags = config.tags
        for stack in [codePipelineStack] + pipelinesStacks as [Stack] {
            stack.tags = tags
            // A stack tag only (not on every resource): the engine reads it to refuse a
            // stack of the same name that another branch or tool deployed.
            stack.addEngineMetadata(Self.ownerMetadataType, ["tag": .string(Self.ownerTag), "value": .string(branch)], at: stack)
        }
        shortenedNames = names.shortened
    }

    /// Why this config cannot deploy on this branch at its size, if it cannot: past
    /// `CodePipelineStack.exactGrantSites` sites every name must start with the branch's
    /// `{repo}-{branch}-lambda-` whole, which shortening keeps only up to 54 characters.
    public static func scaleProblem(config: PipelinesConfig, branch: String) -> (message: String, hint: String)? {
        let sites = config.pipelines.reduce(0) { $0 + $1.sites.count }
        let prefix = TsdatNames(repo: config.pipelinesRepoName, branch: branch).functionPrefix
        guard sites > CodePipelineStack.exactGrantSites, prefix.count > TsdatNames.keptPrefixLength else { return nil }
        return ("\(sites) sites are more than the build's role can name one by one (\(CodePipelineStack.exactGrantSites)), so it holds "
                + "them by the prefix '\(prefix)'; that prefix is \(prefix.count) characters, and AWS's name limits keep only "
                + "\(TsdatNames.keptPrefixLength) of it",
                "use a shorter branch name (or pipelines repository name), or split the pipelines across configs")
    }

    public static func unitKey(_ p: PipelineConfig, _ site: SiteConfig) -> String { "\(p.name)/\(site.id)" }
}
