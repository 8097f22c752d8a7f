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

    public func run(_ stacks: [DeployableStack]) async throws -> [Retained] {
        var retained: [Retained] = []
        let names = Set(stacks.map(\.name))
        // Dependents first: a stack is deleted only after every stack that depends on it.
        var remaining = stacks
        while !remaining.isEmpty {
            let leaves = remaining.filter { s in !remaining.contains { $0.dependencies.contains(s.name) && names.contains($0.name) } }
            guard !leaves.isEmpty else { throw DeployError("the stacks depend on each other in a cycle") }
            remaining.removeAll { r in leaves.contains { $0.name == r.name } }
            let tasks = leaves.map { stack in Task { try await destroy(stack) } }
            for task in tasks { retained += try await task.value }
        }
        return retained
    }

    func destroy(_ stack: DeployableStack) async throws -> [Retained] {
        let region = try stack.region ?? session.requireRegion()
        let cloudFormation = try session.cloudFormation(region: region)
        guard let deployed = try await cloudFormation.describeStack(stack.name) else {
            reporter.finished(stack.name, "not deployed", success: true)
            return []
        }
        let resources = try await cloudFormation.listStackResources(deployed.id)
        let physical = Dictionary(resources.map { ($0.logicalId, $0.physicalId) }, uniquingKeysWith: { a, _ in a })
        let template = (try? JSONValue.parse(try await cloudFormation.getTemplate(deployed.id))) ?? stack.template
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
            let images = try await ecr.describeImages(repository: repository).compactMap { $0.imageDigest }
            guard !images.isEmpty else { continue }
            let refused = try await ecr.batchDeleteImage(repository: repository, imageIds: images.map { .init(digest: $0) })
            if !refused.isEmpty { throw DeployError("could not empty ECR repository \(repository): \(refused.prefix(3).joined(separator: "; "))") }
            reporter.info(stack.name, "deleted \(images.count) image(s) from \(repository) (EmptyOnDelete)")
        }
        var watcher = StackWatcher(cloudFormation: cloudFormation, reporter: reporter)
        watcher.pollInterval = pollInterval
        let last = try await watcher.lastEventId(deployed.id)
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
        let tasks = stacks.map { stack in
                Task { () throws -> StackDiff in
                    if let local { return StackDiff(stack: stack.name, deployed: true, diff: TemplateDiff(old: local, new: stack.template, paths: stack.paths)) }
                    let cloudFormation = try session.cloudFormation(region: stack.region)
                    let deployed = try await cloudFormation.describeStack(stack.name)
                    guard let deployed, deployed.status != "REVIEW_IN_PROGRESS", deployed.status != "DELETE_COMPLETE" else {
                        return StackDiff(stack: stack.name, deployed: false, diff: TemplateDiff(old: nil, new: stack.template, paths: stack.paths))
                    }
                    let old = try JSONValue.parse(try await cloudFormation.getTemplate(deployed.id))
                    return StackDiff(stack: stack.name, deployed: true, diff: TemplateDiff(old: old, new: stack.template, paths: stack.paths))
                }
        }
        var out: [StackDiff] = []
        for task in tasks { out.append(try await task.value) }
        return out
    }

    public func status(_ stacks: [DeployableStack]) async throws -> [(stack: String, status: String?, lastChanged: Date?)] {
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
