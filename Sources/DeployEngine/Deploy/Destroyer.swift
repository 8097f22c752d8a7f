import AWSClient
import Foundation

/// Deletes stacks in reverse dependency order, empties the buckets tsdeploy owns (so the
/// delete works on AWS, where non-empty buckets cannot be deleted), follows progress, and
/// reports what CloudFormation retains.
public struct Destroyer: Sendable {
    public var session: AWSSession
    public var reporter: any DeployReporter
    public var pollInterval: Double = 2

    public init(session: AWSSession, reporter: any DeployReporter) {
        self.session = session
        self.reporter = reporter
    }

    public struct Retained: Sendable, Equatable { public var stack: String, logicalId: String, type: String, physicalId: String? }

    public struct Result: Sendable, Equatable {
        public var deleted: [String] = []
        public var notDeployed: [String] = []
        public var retained: [Retained] = []
    }

    /// Checks the account and that every deployed stack is ours before deleting anything.
    public func run(_ stacks: [DeployableStack]) async throws -> Result {
        try await EnvironmentCheck.verify(stacks, session: session)
        var result = Result()
        var deployed: [String: (CloudFormation.Stack, JSONValue?)] = [:]
        for stack in stacks {
            let cloudFormation = try session.cloudFormation(region: stack.region)
            guard let found = try await cloudFormation.describeStack(stack.name), found.status != "DELETE_COMPLETE" else {
                result.notDeployed.append(stack.name)
                continue
            }
            let template = try? JSONValue.parse(try await cloudFormation.getTemplate(found.id))
            try StackOwnership.check(stack, deployed: found, template: template)
            deployed[stack.name] = (found, template)
        }
        let names = Set(stacks.map(\.name))
        // Dependents first: a stack is deleted only after every stack that depends on it.
        var remaining = stacks
        while !remaining.isEmpty {
            let leaves = remaining.filter { s in !remaining.contains { $0.dependencies.contains(s.name) && names.contains($0.name) } }
            guard !leaves.isEmpty else { throw DeployError("the stacks depend on each other in a cycle") }
            remaining.removeAll { r in leaves.contains { $0.name == r.name } }
            let tasks = leaves.compactMap { stack in
                deployed[stack.name].map { found in Task { try await destroy(stack, deployed: found.0, template: found.1 ?? stack.template) } }
            }
            for task in tasks { result.retained += try await task.value }
            result.deleted += leaves.map(\.name).filter { deployed[$0] != nil }
        }
        return result
    }

    func destroy(_ stack: DeployableStack, deployed: CloudFormation.Stack, template: JSONValue) async throws -> [Retained] {
        let region = try stack.region ?? session.requireRegion()
        let cloudFormation = try session.cloudFormation(region: region)
        let resources = try await cloudFormation.listStackResources(deployed.id)
        let physical = Dictionary(resources.map { ($0.logicalId, $0.physicalId) }, uniquingKeysWith: { a, _ in a })
        let s3 = try session.s3(region: region)
        for id in stack.emptyOnDelete {
            guard let bucket = physical[id] ?? nil else { continue }
            let versions = try await s3.listObjectVersions(bucket: bucket)
            guard !versions.isEmpty else { continue }
            let refused = try await s3.deleteObjects(bucket: bucket, versions)
            if !refused.isEmpty {
                throw DeployError("could not empty s3://\(bucket): \(refused.prefix(3).map { "\($0.key): \($0.reason)" }.joined(separator: "; "))")
            }
            reporter.info(stack.name, "emptied s3://\(bucket) (\(versions.count) object versions; it holds build artifacts, not data)")
        }
        // Repositories marked EmptyOnDelete lose their images with the stack anyway; deleting
        // them first keeps the delete working where that flag is not honoured (emulators).
        for (id, r) in template["Resources"]?.objectValue ?? [:]
            where r["Type"]?.stringValue == "AWS::ECR::Repository" && r["Properties"]?["EmptyOnDelete"] == .bool(true) {
            guard let repository = physical[id] ?? nil else { continue }
            let ecr = try session.ecr(region: region)
            var deletedCount = 0
            var empty = false
            // Listed again after each round: a repository is empty only when ECR says so.
            for _ in 0..<5 {
                let images = try await ecr.describeImages(repository: repository).compactMap { $0.imageDigest }
                if images.isEmpty { empty = true; break }
                let refused = try await ecr.batchDeleteImage(repository: repository, imageIds: images.map { .init(digest: $0) })
                if !refused.isEmpty { throw DeployError("could not empty ECR repository \(repository): \(refused.prefix(3).joined(separator: "; "))") }
                deletedCount += Set(images).count
            }
            if !empty, try await !ecr.describeImages(repository: repository).isEmpty {
                throw DeployError("ECR repository \(repository) still holds images after deleting them; nothing was deleted from CloudFormation",
                                  hint: "run destroy again; if it persists, list them with `aws ecr list-images --repository-name \(repository)`")
            }
            if deletedCount > 0 { reporter.info(stack.name, "deleted \(deletedCount) image(s) from \(repository) (EmptyOnDelete)") }
        }
        var watcher = StackWatcher(cloudFormation: cloudFormation, reporter: reporter)
        watcher.pollInterval = pollInterval
        let last = try await watcher.lastEventId(deployed.id)
        InFlight.shared.started(stack.name)
        try await cloudFormation.deleteStack(deployed.id, clientRequestToken: "tsdeploy-destroy-\(UUID().uuidString.lowercased())")
        let outcome = try await watcher.follow(deployed.id, name: stack.name, after: last, progress: StackProgress(total: resources.count))
        guard outcome.status == "DELETE_COMPLETE" else {
            reporter.finished(stack.name, outcome.status, success: false)
            throw DeployError(FailureRecap.render(outcome, stackName: stack.name, paths: stack.paths).trimmingCharacters(in: .newlines))
        }
        reporter.finished(stack.name, "DELETE_COMPLETE", success: true)
        return (template["Resources"]?.objectValue ?? [:]).sorted { $0.key < $1.key }.compactMap { id, r in
            guard r.isRetainedOnDelete else { return nil }
            return Retained(stack: stack.name, logicalId: id, type: r["Type"]?.stringValue ?? "?", physicalId: physical[id] ?? nil)
        }
    }
}

/// What `tsdeploy diff` and `tsdeploy ls` read about deployed stacks.
public struct StackInspector: Sendable {
    public var session: AWSSession
    public init(session: AWSSession) { self.session = session }

    public struct StackDiff: Sendable {
        public var stack: String
        public var deployed: Bool
        public var diff: TemplateDiff
    }

    /// All stacks in parallel; a stack not deployed diffs against nothing (and nothing is created).
    public func diff(_ stacks: [DeployableStack], against local: JSONValue? = nil) async throws -> [StackDiff] {
        if local == nil { try await EnvironmentCheck.verify(stacks, session: session) }
        let tasks = stacks.map { stack in
                Task { () throws -> StackDiff in
                    if let local { return StackDiff(stack: stack.name, deployed: true, diff: TemplateDiff(old: local, new: stack.template, paths: stack.paths)) }
                    let cloudFormation = try session.cloudFormation(region: stack.region)
                    let deployed = try await cloudFormation.describeStack(stack.name)
                    guard let deployed, deployed.status != "REVIEW_IN_PROGRESS", deployed.status != "DELETE_COMPLETE" else {
                        return StackDiff(stack: stack.name, deployed: false, diff: TemplateDiff(old: nil, new: stack.template, paths: stack.paths))
                    }
                    let old = try JSONValue.parse(try await cloudFormation.getTemplate(deployed.id))
                    try StackOwnership.check(stack, deployed: deployed, template: old)
                    return StackDiff(stack: stack.name, deployed: true, diff: TemplateDiff(old: old, new: stack.template, paths: stack.paths))
                }
        }
        var out: [StackDiff] = []
        for task in tasks { out.append(try await task.value) }
        return out
    }

    public func status(_ stacks: [DeployableStack]) async throws -> [(stack: String, status: String?, lastChanged: Date?)] {
        try await EnvironmentCheck.verify(stacks, session: session)
        let tasks = stacks.map { stack in
            Task { try await session.cloudFormation(region: stack.region).describeStack(stack.name) }
        }
        var out: [(stack: String, status: String?, lastChanged: Date?)] = []
        for (stack, task) in zip(stacks, tasks) {
            let s = try await task.value
            out.append((stack.name, s?.status, s?.lastChanged))
        }
        return out
    }
}
