import AWSClient
import Foundation

/// Deploys a set of stacks: checks the account and the bootstrap, resolves parameters
/// (overrides, previous image references, producer outputs, defaults), checks images,
/// then deploys in dependency order with independent stacks side by side.
public struct Deployment: Sendable {
    public var session: AWSSession
    public var reporter: any DeployReporter
    public var options: DeployOptions
    public var qualifier: String = ToolkitNames.defaultQualifier
    public var concurrency = 2
    public var requireImages = false
    /// `Param=value` for every stack that has Param, or `Stack:Param=value` for one (name or id).
    public var parameterOverrides: [String: String] = [:]
    /// Files for the stacks' file assets by source name (e.g. `tsdeploy-binary`), and why a
    /// source is missing, for the warning.
    public var fileSources: [String: String] = [:]
    public var missingFileSources: [String: String] = [:]
    /// Let CloudFormation act with the caller's permissions even when the toolkit has an
    /// execution role (the build: its role holds exactly what its stack needs).
    public var useExecutionRole = true
    /// Images to pin by digest (the build's deploy); their parameters get `@sha256:…`.
    public var pinnedImages: [BuildChecks.PinnedImage] = []
    /// Stacks that must be deployed exactly as synthesized before anything changes.
    public var mustBeDeployedAsSynthesized: [DeployableStack] = []
    public var branch = ""
    /// Every stack of the app, selected or not: a deployed one that reads a value a selected
    /// stack stops providing stops the deploy (ReleasedOutputs).
    public var appStacks: [DeployableStack] = []
    public var extraTags: [CloudFormation.Tag] = []

    public init(session: AWSSession, reporter: any DeployReporter, options: DeployOptions) {
        self.session = session
        self.reporter = reporter
        self.options = options
    }

    public func run(_ selected: [DeployableStack]) async throws -> [(stack: String, result: DeployResult)] {
        var stacks = selected
        guard concurrency >= 1 else { throw DeployError("the concurrency must be at least 1, got \(concurrency)") }
        var overrides = try ParameterOverrides.resolve(parameterOverrides, stacks: stacks)
        let identity = try await EnvironmentCheck.verify(stacks + mustBeDeployedAsSynthesized, session: session)
        // Named buckets and repositories that exist outside their stack: stop before any change.
        let conflicts = try await NameConflicts.find(stacks.filter { !NameConflicts.named($0, deployed: []).isEmpty }, session: session)
        if !conflicts.isEmpty { throw NameConflicts.error(conflicts) }
        if mustBeDeployedAsSynthesized.isEmpty {
            let shared = try await NameScopes.conflicts(stacks, session: session)
            if !shared.isEmpty { throw NameScopes.error(shared) }
        }
        // The build skips this: its role may not read other stacks, and the deploy from a
        // workstation that set the branch up already warned.
        for stack in stacks where mustBeDeployedAsSynthesized.isEmpty {
            for warning in await SharedTriggers.warnings(for: stack, session: session) { reporter.warn(stack.name, warning) }
        }
        if mustBeDeployedAsSynthesized.isEmpty {
            let moves = try await PartitionCheck.moves(stacks, session: session)
            if !moves.isEmpty {
                throw DeployError("sites would move between stacks, which deletes and re-creates them:\n  " + moves.prefix(10).joined(separator: "\n  ")
                                  + (moves.count > 10 ? "\n  …" : "") + "\nNothing was changed.",
                                  hint: "the layout file beside the config records where each site is (NAME.layout.json): restore it from version control")
            }
        }
        if mustBeDeployedAsSynthesized.isEmpty {
            stacks = try await ReleasedOutputs.order(stacks, appStacks: appStacks, session: session, reporter: reporter)
        }
        if !mustBeDeployedAsSynthesized.isEmpty {
            try await BuildChecks.requireDeployedAsSynthesized(mustBeDeployedAsSynthesized, session: session, branch: branch)
        }
        if !pinnedImages.isEmpty {
            let region = try stacks.first?.region ?? session.requireRegion()
            let digests = try await BuildChecks.digests(pinnedImages, ecr: try session.ecr(region: region))
            for stack in stacks {
                for image in stack.imageParameters { if let d = digests[image.parameter] { overrides[stack.name, default: [:]][image.parameter] = d } }
            }
        }
        var toolkits: [String: ToolkitNames] = [:]
        for stack in stacks {
            let region = try stack.region ?? session.requireRegion()
            guard toolkits[region] == nil else { continue }
            var names = try await checkBootstrap(account: identity.account, region: region)
            names.partition = identity.arn.split(separator: ":").dropFirst().first.map(String.init) ?? "aws"
            // The execution role exists only when bootstrap was given policies for it.
            let toolkitResources = (try? await session.cloudFormation(region: region).listStackResources(names.stackName)) ?? []
            names.executionRoleExists = toolkitResources.contains { $0.resourceType == "AWS::IAM::Role" && $0.physicalId == names.executionRole }
            toolkits[region] = names
        }

        var results: [String: DeployResult] = [:]
        var failed: Set<String> = []
        var remaining = stacks
        var firstError: Error?
        while !remaining.isEmpty {
            let ready = remaining.filter { s in s.dependencies.allSatisfy { d in results[d] != nil || failed.contains(d) || !stacks.contains { $0.name == d } } }
            remaining.removeAll { r in ready.contains { $0.name == r.name } }
            for batch in stride(from: 0, to: ready.count, by: concurrency).map({ Array(ready[$0..<min($0 + concurrency, ready.count)]) }) {
                // Plain tasks rather than a task group: a group whose child result is a
                // tuple holding a Result crashed in release builds (swift 6.3.1).
                var running: [(name: String, task: Task<DeployResult, Error>)] = []
                for stack in batch {
                    if let dep = stack.dependencies.first(where: { failed.contains($0) }) {
                        results[stack.name] = .skipped("\(dep) did not deploy")
                        reporter.finished(stack.name, "skipped: \(dep) did not deploy", success: false)
                        failed.insert(stack.name)
                        continue
                    }
                    let toolkit = toolkits[stack.region ?? ""] ?? toolkits.values.first
                    let stackOverrides = overrides[stack.name] ?? [:]
                    running.append((stack.name, Task { try await deployOne(stack, toolkit: toolkit, overrides: stackOverrides) }))
                }
                for (name, task) in running {
                    do {
                        let result = try await task.value
                        results[name] = result
                        if case .skipped = result { failed.insert(name) }
                    } catch {
                        failed.insert(name)
                        results[name] = .skipped("failed")
                        if firstError == nil { firstError = error }
                    }
                }
            }
        }
        if let firstError { throw firstError }
        var out = stacks.map { ($0.name, results[$0.name] ?? .skipped("not reached")) }
        if mustBeDeployedAsSynthesized.isEmpty, !failed.contains(where: { name in stacks.contains { $0.name == name && $0.partition != nil } }) {
            for orphan in try await PartitionCheck.orphans(stacks, session: session) {
                out.append((orphan.name, try await deleteOrphan(orphan.name, region: orphan.region)))
            }
        }
        return out
    }

    /// A part no longer synthesized: its sites left the config. Deleting it deletes their
    /// log groups, so it asks (or needs --allow-destroy-data) like any change deleting data.
    func deleteOrphan(_ name: String, region: String) async throws -> DeployResult {
        let cloudFormation = try session.cloudFormation(region: region)
        let template = try JSONValue.parse(try await cloudFormation.getTemplate(name))
        let data = try await cloudFormation.listStackResources(name).filter { r in
            DataLoss.dataTypes.contains(r.resourceType) && !(template["Resources"]?[r.logicalId]?.isRetainedOnDelete ?? false)
        }
        if !data.isEmpty && !options.allowDataLoss {
            let list = data.map { "  \($0.resourceType) \($0.physicalId ?? $0.logicalId)" }.joined(separator: "\n")
            let question = "\(name) is no longer needed (its sites left the config); deleting it deletes:\n\(list)\nDelete it? [y/N] "
            guard let confirm = options.confirm, await confirm(question) else {
                reporter.warn(name, "no longer needed, but deleting it would delete data (\(data.count) resource(s)); kept. "
                              + "Deploy with --allow-destroy-data to delete it")
                return .skipped("would delete data")
            }
        }
        reporter.info(name, "no longer needed (its sites left the config); deleting")
        var watcher = StackWatcher(cloudFormation: cloudFormation, reporter: reporter)
        watcher.pollInterval = options.pollInterval
        let last = try await watcher.lastEventId(name)
        let id = try await cloudFormation.describeStack(name)?.id ?? name
        try await cloudFormation.deleteStack(id)
        let outcome = try await watcher.follow(id, name: name, after: last, progress: StackProgress(total: 0))
        guard outcome.status == "DELETE_COMPLETE" else {
            throw DeployError("\(name) could not be deleted (\(outcome.status))", hint: "see its events; deploy again to retry")
        }
        reporter.finished(name, "deleted", success: true)
        return .deleted
    }

    func checkBootstrap(account: String, region: String) async throws -> ToolkitNames {
        let names = ToolkitNames(qualifier: qualifier, account: account, region: region)
        guard let parameter = try await session.ssm(region: region).parameterIfExists(names.versionParameter) else {
            throw DeployError("aws://\(account)/\(region) is not bootstrapped (no SSM parameter \(names.versionParameter))",
                              hint: "run `tsdeploy bootstrap aws://\(account)/\(region)`\(qualifier == ToolkitNames.defaultQualifier ? "" : " --qualifier \(qualifier)") once for this account and region")
        }
        guard let version = Int(parameter.value), version >= ToolkitNames.version else {
            throw DeployError("the toolkit in aws://\(account)/\(region) is version \(parameter.value); this tsdeploy needs \(ToolkitNames.version)",
                              hint: "run `tsdeploy bootstrap aws://\(account)/\(region)` to upgrade it")
        }
        return names
    }

    func deployOne(_ stack: DeployableStack, toolkit: ToolkitNames?, overrides: [String: String]) async throws -> DeployResult {
        let region = try stack.region ?? session.requireRegion()
        let cloudFormation = try session.cloudFormation(region: region)
        let existing = try await cloudFormation.describeStack(stack.name)
        let previous = Set((existing.map { ["REVIEW_IN_PROGRESS", "ROLLBACK_COMPLETE"].contains($0.status) ? [] : $0.parameters } ?? []).map(\.key))
        var parameters: [CloudFormation.Parameter] = []
        var imagesToCheck: [(DeployableStack.ImageParameter, String)] = []
        let assetParameters = Set(stack.fileAssets.map(\.parameter))
        if !stack.fileAssets.isEmpty {
            parameters += try await FileAssets.resolve(stack, sources: fileSources, missing: missingFileSources,
                                                       stagingBucket: toolkit?.stagingBucket, s3: try session.s3(region: region),
                                                       previous: previous, reporter: reporter)
        }
        for (key, defaultValue) in stack.parameterDefaults.sorted(by: { $0.key < $1.key }) where !assetParameters.contains(key) {
            let image = stack.imageParameters.first { $0.parameter == key }
            if key == stack.qualifierParameter, overrides[key] == nil {
                parameters.append(.init(key: key, value: qualifier))
            } else if let value = overrides[key] {
                parameters.append(.init(key: key, value: value))
                if let image { imagesToCheck.append((image, value)) }
            } else if image != nil, previous.contains(key) {
                // A workstation deploy keeps the image the build last delivered (never rolls back).
                parameters.append(.init(usePrevious: key))
            } else if let source = stack.parameterSources.first(where: { $0.parameter == key }) {
                guard let value = try await cloudFormation.describeStack(source.stack)?.outputs.first(where: { $0.key == source.output })?.value else {
                    throw DeployError("\(stack.name) needs output \(source.output) of \(source.stack), which is not deployed or lacks it",
                                      hint: "deploy \(source.stack) first")
                }
                parameters.append(.init(key: key, value: value))
            } else if let defaultValue {
                parameters.append(.init(key: key, value: defaultValue))
                if let image { imagesToCheck.append((image, defaultValue)) }
            } else {
                throw DeployError("\(stack.name) needs a value for parameter \(key)", hint: "pass --parameters \(key)=VALUE")
            }
        }
        if !imagesToCheck.isEmpty {
            let ecr = try session.ecr(region: region)
            var missing: [String] = []
            for (image, reference) in imagesToCheck {
                let id: ECRClient.ImageIdentifier = reference.hasPrefix("@") ? .init(digest: String(reference.dropFirst())) : .init(tag: String(reference.dropFirst()))
                if try await !ecr.imageExists(repository: image.repository, id) { missing.append("\(image.repository)\(reference)") }
            }
            if !missing.isEmpty {
                let what = "the images \(missing.joined(separator: ", ")) are not in ECR yet"
                if requireImages { throw DeployError("\(stack.name): \(what)", hint: "push them first (the pipeline's build does), or deploy without --require-images") }
                reporter.warn(stack.name, "\(what); skipping this stack: the first CodePipeline build pushes them and deploys it")
                return .skipped("images missing")
            }
        }
        var tagged = stack
        tagged.tags = (stack.tags + extraTags).reduce(into: [CloudFormation.Tag]()) { all, tag in
            all.removeAll { $0.key == tag.key }
            all.append(tag)
        }.sorted { $0.key < $1.key }
        var deployOptions = options
        deployOptions.stagingBucket = toolkit?.stagingBucket
        if let toolkit, toolkit.executionRoleExists, useExecutionRole { deployOptions.executionRoleArn = toolkit.executionRoleArn }
        let deployer = StackDeployer(cloudFormation: cloudFormation, s3: try session.s3(region: region), reporter: reporter, options: deployOptions)
        parameters.sort { $0.key < $1.key }
        let result = try await deployer.deploy(tagged, parameters: parameters, current: existing)
        if !stack.eventBridgeBuckets.isEmpty {
            let s3 = try session.s3(region: region)
            for bucket in stack.eventBridgeBuckets where try await s3.enableEventBridgeNotifications(bucket) {
                reporter.info(stack.name, "enabled EventBridge notifications on s3://\(bucket) (its other notifications kept)")
            }
        }
        return result
    }
}
