import AWSClient
import Crypto
import Foundation

public struct DeployOptions: Sendable {
    public enum Approval: String, Sendable, CaseIterable { case never, anyChange = "any-change", broadening }

    public var force = false
    public var requireApproval: Approval = .broadening
    /// Asks a yes/no question; nil where there is no terminal.
    public var confirm: (@Sendable (String) async -> Bool)?
    public var executionRoleArn: String?
    /// Where templates over 51,200 bytes go (the toolkit's staging bucket).
    public var stagingBucket: String?
    public var pollInterval: Double = 2
    /// Deploy changes that delete or replace a resource holding data without asking.
    public var allowDataLoss = false
    /// The terminal's columns, for the diff shown with a question.
    public var width: Int?
    /// Where operations under way are registered for an interrupt.
    public var inFlight: InFlight = .shared
    public init() {}
}

public enum DeployResult: Sendable, Equatable {
    case noChanges
    case deployed(outputs: [CloudFormation.Output])
    case skipped(String)
    /// A part of a partitioned stack that is no longer synthesized, deleted.
    case deleted
}

/// Deploys one stack through a change set: recover from leftover states, skip when
/// nothing changed, create the change set (by ARN), show it, ask when it broadens
/// permissions, execute, follow the events, and explain a failure by its root cause.
public struct StackDeployer: Sendable {
    public static let templateBodyLimit = 51_200

    public var cloudFormation: CloudFormationClient
    public var s3: S3Client?
    public var reporter: any DeployReporter
    public var options: DeployOptions

    public init(cloudFormation: CloudFormationClient, s3: S3Client?, reporter: any DeployReporter, options: DeployOptions) {
        self.cloudFormation = cloudFormation
        self.s3 = s3
        self.reporter = reporter
        self.options = options
    }

    var watcher: StackWatcher {
        var w = StackWatcher(cloudFormation: cloudFormation, reporter: reporter)
        w.pollInterval = options.pollInterval
        return w
    }

    public func deploy(_ stack: DeployableStack, parameters: [CloudFormation.Parameter]) async throws -> DeployResult {
        try await deploy(stack, parameters: parameters, current: try await cloudFormation.describeStack(stack.name))
    }

    /// `current`: the stack as DescribeStacks just answered (nil: not deployed), for callers
    /// that already asked.
    public func deploy(_ stack: DeployableStack, parameters: [CloudFormation.Parameter],
                       current: CloudFormation.Stack?) async throws -> DeployResult {
        let name = stack.name
        var existing = current
        if let current = existing {
            switch current.status {
            case "ROLLBACK_COMPLETE", "ROLLBACK_FAILED":
                reporter.warn(name, "is in \(current.status) (a failed first create, nothing to keep); deleting it so it can be created again")
                let last = try await watcher.lastEventId(current.id)
                try await cloudFormation.deleteStack(current.id)
                let outcome = try await watcher.follow(current.id, name: name, after: last, progress: StackProgress(total: 0))
                guard outcome.status == "DELETE_COMPLETE" else {
                    throw DeployError("\(name) could not be deleted (\(outcome.status))",
                                      hint: "delete it in the CloudFormation console, then deploy again")
                }
                existing = nil
            case "REVIEW_IN_PROGRESS":
                // A shell left by a change set that was never executed: remove it so this
                // deploy starts clean (it holds no resources; one that does is not touched).
                try StackOwnership.check(stack, deployed: current, template: nil)
                try await cleanUpReview(name)
                existing = nil
            case "UPDATE_ROLLBACK_FAILED":
                throw DeployError("\(name) is in UPDATE_ROLLBACK_FAILED: a rollback could not finish",
                                  hint: "fix the cause, then `aws cloudformation continue-update-rollback --stack-name \(name)`, and deploy again")
            case let status where StackStatus.isInProgress(status):
                throw DeployError("\(name) is busy (\(status))", hint: "wait for it to finish (`tsdeploy ls` shows it), then deploy again")
            default: break
            }
        }

        let deployedTemplate: JSONValue? = if let existing { try? JSONValue.parse(try await cloudFormation.getTemplate(existing.id)) } else { nil }
        if let existing { try StackOwnership.check(stack, deployed: existing, template: deployedTemplate) }
        if let existing, let deployedTemplate, !options.force,
           deployedTemplate == stack.template, Self.sameParameters(existing.parameters, parameters),
           Set(existing.tags) == Set(stack.tags) {
            reporter.finished(name, "no changes (\(existing.status))", success: true)
            return .noChanges
        }

        var input = CloudFormation.CreateChangeSetInput(
            stackName: name, changeSetName: Self.changeSetName(), kind: existing == nil ? .create : .update,
            parameters: parameters, capabilities: stack.capabilities, tags: stack.tags, roleARN: options.executionRoleArn,
            description: "tsdeploy deploy", clientToken: "tsdeploy-\(UUID().uuidString.lowercased())")
        if stack.templateBody.utf8.count > Self.templateBodyLimit {
            input.templateURL = try await uploadTemplate(stack)
        } else {
            input.templateBody = stack.templateBody
        }
        reporter.info(name, existing == nil ? "creating change set (new stack)" : "creating change set")
        let created = try await cloudFormation.createChangeSet(input)
        // From here until it is executed, every way out removes the change set and the empty
        // shell a new stack's change set leaves, an interrupt included: a later deploy must
        // not trip over them.
        let discard: @Sendable () async -> Void = { [cloudFormation] in
            try? await cloudFormation.deleteChangeSet(created.id)
            try? await Self.deleteEmptyReviewShell(name, cloudFormation)
        }
        let pending = options.inFlight.add("the unexecuted change set of \(name)", discard)
        func abandon() async {
            options.inFlight.remove(pending)
            await discard()
        }
        let changeSet: CloudFormation.ChangeSet
        do {
            changeSet = try await waitForChangeSet(created.id)
            if changeSet.isEmpty {
                await abandon()
                reporter.finished(name, "no changes", success: true)
                return .noChanges
            }
            guard changeSet.status == "CREATE_COMPLETE" else {
                throw DeployError("CloudFormation could not prepare the change set for \(name): \(changeSet.statusReason ?? changeSet.status)")
            }
            reporter.changes(name, changeSet.changes)
            let diff = TemplateDiff(old: deployedTemplate, new: stack.template, paths: stack.paths)
            let losses = DataLoss.inChangeSet(changeSet.changes, old: deployedTemplate, predicted: diff.dataLoss)
            if !losses.isEmpty, try await !dataLossAccepted(stack, losses) {
                await abandon()
                reporter.finished(name, "not deployed: it would delete data", success: false)
                return .skipped("would delete data")
            }
            if try await !approved(stack, diff: diff, deployed: deployedTemplate != nil, changeSet: changeSet) {
                await abandon()
                reporter.finished(name, "not deployed: the change set was not approved", success: false)
                return .skipped("not approved")
            }
        } catch {
            await abandon()
            throw error
        }

        let last: String?
        do {
            last = try await watcher.lastEventId(created.stackId.isEmpty ? name : created.stackId)
            try await cloudFormation.executeChangeSet(created.id, clientRequestToken: "tsdeploy-exec-\(UUID().uuidString.lowercased())")
        } catch {
            await abandon()
            throw error
        }
        options.inFlight.remove(pending)
        options.inFlight.started(name)
        let outcome = try await watcher.follow(created.stackId.isEmpty ? name : created.stackId, name: name, after: last,
                                               progress: StackProgress(total: changeSet.changes.count))
        guard outcome.success else {
            reporter.finished(name, outcome.status, success: false)
            throw DeployError(FailureRecap.render(outcome, stackName: name, paths: stack.paths).trimmingCharacters(in: .newlines))
        }
        reporter.finished(name, outcome.status, success: true)
        return .deployed(outputs: try await cloudFormation.describeStack(name)?.outputs ?? [])
    }

    /// Unique per call: two deploys in one second must not collide.
    static func changeSetName(now: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss"
        return "tsdeploy-\(formatter.string(from: now))-\(UUID().uuidString.lowercased().prefix(8))"
    }

    /// A change that deletes or replaces a resource holding data goes ahead only on an
    /// explicit yes or `--allow-destroy-data`.
    func dataLossAccepted(_ stack: DeployableStack, _ losses: [DataLoss]) async throws -> Bool {
        if options.allowDataLoss { return true }
        let list = losses.map { "  \($0.description)" }.joined(separator: "\n")
        guard let confirm = options.confirm else {
            throw DeployError("\(stack.name): this deploy would delete data:\n\(list)\nNothing was changed.",
                              hint: "check `tsdeploy diff`; if the data may go, deploy again with --allow-destroy-data")
        }
        return await confirm("\(stack.name): this deploy would delete data:\n\(list)\nDelete it? [y/N] ")
    }

    /// Parameters left to their previous value always match; the others by value.
    static func sameParameters(_ deployed: [CloudFormation.Parameter], _ wanted: [CloudFormation.Parameter]) -> Bool {
        let current = Dictionary(deployed.map { ($0.key, $0.value ?? "") }, uniquingKeysWith: { a, _ in a })
        guard Set(current.keys) == Set(wanted.map(\.key)) else { return false }
        return wanted.allSatisfy { $0.usePreviousValue || current[$0.key] == $0.value }
    }

    func waitForChangeSet(_ id: String) async throws -> CloudFormation.ChangeSet {
        var delay = 0.5
        while true {
            let changeSet = try await cloudFormation.describeChangeSet(id)
            if !["CREATE_PENDING", "CREATE_IN_PROGRESS"].contains(changeSet.status) { return changeSet }
            try await Task.sleep(nanoseconds: UInt64(min(delay, options.pollInterval) * 1_000_000_000))
            delay *= 2
        }
    }

    /// A REVIEW_IN_PROGRESS shell with no resources, left by our own unexecuted CREATE change set.
    /// Waits for the delete, so a new change set of the same name can be created.
    func cleanUpReview(_ name: String) async throws {
        try await Self.deleteEmptyReviewShell(name, cloudFormation)
        var delay = 0.5
        for _ in 0..<60 {
            guard let stack = try await cloudFormation.describeStack(name), stack.status == "DELETE_IN_PROGRESS" else { return }
            try await Task.sleep(nanoseconds: UInt64(min(delay, max(options.pollInterval, 0.01)) * 1_000_000_000))
            delay *= 2
        }
    }

    static func deleteEmptyReviewShell(_ name: String, _ cloudFormation: CloudFormationClient) async throws {
        if let stack = try await cloudFormation.describeStack(name), stack.status == "REVIEW_IN_PROGRESS",
           try await cloudFormation.listStackResources(stack.id).isEmpty {
            try await cloudFormation.deleteStack(stack.id)
        }
    }

    func approved(_ stack: DeployableStack, diff: TemplateDiff, deployed: Bool, changeSet: CloudFormation.ChangeSet) async throws -> Bool {
        let needed: String?
        switch options.requireApproval {
        case .never: needed = nil
        case .anyChange: needed = "\(changeSet.changes.count) change(s)"
        case .broadening: needed = diff.isBroadening ? "changes that broaden IAM permissions or network access" : nil
        }
        guard let needed else { return true }
        let question = DiffRenderer(color: false, width: options.width).render(stack: stack.name, diff, deployed: deployed)
            + "\n\(stack.name) has \(needed). Deploy? [y/N] "
        guard let confirm = options.confirm else {
            throw DeployError("\(stack.name) has \(needed), which need approval, and there is no terminal to ask on",
                              hint: "review with `tsdeploy diff`, then pass --require-approval never (CI) to deploy without asking")
        }
        return await confirm(question)
    }

    func uploadTemplate(_ stack: DeployableStack) async throws -> String {
        guard let s3, let bucket = options.stagingBucket else {
            throw DeployError("the template of \(stack.name) is \(stack.templateBody.utf8.count) bytes, over CloudFormation's 51,200-byte limit for inline templates",
                              hint: "run `tsdeploy bootstrap` so large templates can go through the staging bucket")
        }
        let hash = SHA256.hash(data: Data(stack.templateBody.utf8)).map { String(format: "%02x", $0) }.joined()
        let key = "templates/\(stack.name)-\(hash.prefix(16)).json"
        // A HEAD the caller may not make (no s3:ListBucket: 403, not 404) means "put it":
        // the key is content-addressed, so putting it again changes nothing.
        if (try? await s3.headObject(bucket: bucket, key: key)) ?? nil == nil {
            try await s3.putObject(bucket: bucket, key: key, body: Data(stack.templateBody.utf8), contentType: "application/json")
        }
        reporter.info(stack.name, "template (\(stack.templateBody.utf8.count) bytes) uploaded to s3://\(bucket)/\(key)")
        let endpoint = s3.client.endpoint
        if endpoint.isCustom {
            // The emulator reads a TemplateURL host of 127.0.0.1 as a bucket name; localhost works.
            return endpoint.url.replacingOccurrences(of: "://127.0.0.1", with: "://localhost") + "/\(bucket)/\(key)"
        }
        return "https://\(bucket).s3.\(s3.client.region).amazonaws.com/\(key)"
    }
}
