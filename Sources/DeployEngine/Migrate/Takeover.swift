import AWSClient
import Foundation

/// Takes over a deployment that AWS CDK made (tsdat/aws-template): its stack has the name of
/// our build stack, its buckets and repository hold data behind auto-delete custom resources,
/// and its build made functions, rules, permissions and bucket notifications outside any
/// template. The steps, each skipped when already done, so an interrupted run is rerun:
///
/// 1. retain: the CDK stack is updated with its own template, every data resource set to
///    DeletionPolicy Retain and stripped of the auto-delete tags (see CDKDataRetention);
///    checked on the resources themselves before going on;
/// 2. release: the CDK stack is deleted — its data stays, the rest (project, pipeline, roles,
///    custom resources) goes, to be made again by tsdeploy;
/// 3. adopt the build data: the buckets and repository are imported into the build stack
///    (a change set of type IMPORT), which is then deployed;
/// 4. clean up: the old build's S3 notifications, rules and functions are removed — their log
///    groups are kept;
/// 5. adopt the logs: the log groups are imported into the functions stack, which is then
///    deployed (from the images the old build pushed, tagged as tsdeploy tags them).
///
/// Nothing holding data is deleted at any step; every object count is compared at the end.
public struct Takeover: Sendable {
    public struct Spec: Sendable {
        public var oldStackName: String
        public var buildStack: DeployableStack
        /// The functions stacks (one, or the parts of a partition); the first names messages.
        public var functionsStacks: [DeployableStack]
        public var functionsStack: DeployableStack { functionsStacks[0] }
        /// The functions the old build made for the configured sites.
        public var legacyFunctions: [String]
        /// Every function of the old build starts with this (`{repo}-{branch}-lambda-`).
        public var legacyFunctionPrefix: String
        public var legacyRuleSuffix = "-cron-rule"
        public var legacyNotificationSuffix = "-s3-notification"
        public var inputBucket: String
        public init(oldStackName: String, buildStack: DeployableStack, functionsStacks: [DeployableStack], legacyFunctions: [String],
                    legacyFunctionPrefix: String, inputBucket: String) {
            self.oldStackName = oldStackName; self.buildStack = buildStack; self.functionsStacks = functionsStacks
            self.legacyFunctions = legacyFunctions; self.legacyFunctionPrefix = legacyFunctionPrefix; self.inputBucket = inputBucket
        }
    }

    public struct Adoption: Sendable, Equatable {
        public var logicalId: String, type: String, name: String
        public var identifierKey: String { Takeover.identifierKeys[type] ?? "Name" }
    }

    public struct Plan: Sendable {
        public var oldStack: CloudFormation.Stack?
        public var oldTemplate: JSONValue?
        public var oldTool: String?
        public var retention: [CDKDataRetention.Change] = []
        public var retainedTemplate: JSONValue?
        /// Data resources of the old stack (type, physical name): kept when it is deleted.
        public var keptByOldStack: [(type: String, name: String)] = []
        /// What deleting the old stack removes (logical id, type).
        public var deletedWithOldStack: [(logicalId: String, type: String)] = []
        public var buildImports: [Adoption] = []
        public var buildStackDeployed = false
        public var notificationIds: [String] = []
        public var rules: [String] = []
        public var functions: [String] = []
        /// Per functions stack (by name), the log groups it adopts.
        public var logImports: [String: [Adoption]] = [:]
        public var functionsStackDeployed = false
        public var objectCounts: [String: Int] = [:]

        public var nothingToDo: Bool {
            oldStack == nil && buildImports.isEmpty && notificationIds.isEmpty && rules.isEmpty && functions.isEmpty
                && logImports.isEmpty && buildStackDeployed && functionsStackDeployed
        }
    }

    static let identifierKeys = ["AWS::S3::Bucket": "BucketName", "AWS::ECR::Repository": "RepositoryName", "AWS::Logs::LogGroup": "LogGroupName"]

    public var session: AWSSession
    public var spec: Spec
    public var reporter: any DeployReporter
    public var options: DeployOptions
    public var region: String
    public var partition = "aws"

    public init(session: AWSSession, spec: Spec, reporter: any DeployReporter, options: DeployOptions, region: String) {
        self.session = session; self.spec = spec; self.reporter = reporter; self.options = options; self.region = region
    }

    // MARK: plan (reads only)

    public func plan() async throws -> Plan {
        let cloudFormation = try session.cloudFormation(region: region)
        var plan = Plan()
        if let old = try await cloudFormation.describeStack(spec.oldStackName), old.status != "REVIEW_IN_PROGRESS" {
            let template = try JSONValue.parse(try await cloudFormation.getTemplate(old.id))
            if let tool = StackOwnership.foreignTool(template) {
                guard !StackStatus.isInProgress(old.status) || old.status == "DELETE_IN_PROGRESS" else {
                    throw DeployError("\(old.name) is busy (\(old.status))", hint: "wait for it to finish, then run migrate again")
                }
                plan.oldStack = old
                plan.oldTemplate = template
                plan.oldTool = tool
                let retained = CDKDataRetention.retainingData(template)
                plan.retention = retained.changes
                plan.retainedTemplate = retained.template
                let resources = try await cloudFormation.listStackResources(old.id)
                for r in resources {
                    if DataLoss.dataTypes.contains(r.resourceType), let id = r.physicalId { plan.keptByOldStack.append((r.resourceType, id)) }
                    else if !r.resourceType.isEmpty { plan.deletedWithOldStack.append((r.logicalId, r.resourceType)) }
                }
            } else if old.tags.first(where: { $0.key == spec.buildStack.owner?.key })?.value != spec.buildStack.owner?.value {
                try StackOwnership.check(spec.buildStack, deployed: old, template: template)
            }
        }
        // Ours to import: named buckets and repositories of the build stack that exist now
        // (or are held by the old stack, which keeps them) and are in no stack of ours yet.
        let ourBuild = plan.oldStack == nil ? try await cloudFormation.describeStack(spec.buildStack.name) : nil
        let held: Set<String> = ourBuild != nil ? Set(try await cloudFormation.listStackResources(spec.buildStack.name).compactMap(\.physicalId)) : []
        plan.buildStackDeployed = try await deployedAsSynthesized(spec.buildStack, ourBuild, cloudFormation)
        let s3 = try session.s3(region: region)
        for adoption in Self.named(spec.buildStack.template, types: ["AWS::S3::Bucket", "AWS::ECR::Repository"]) where !held.contains(adoption.name) {
            let exists: Bool
            if adoption.type == "AWS::S3::Bucket" {
                exists = try await s3.bucketExists(adoption.name)
            } else {
                exists = try await !session.ecr(region: region).describeRepositoriesIfExist([adoption.name]).isEmpty
            }
            if exists { plan.buildImports.append(adoption) }
        }
        for adoption in plan.buildImports where adoption.type == "AWS::S3::Bucket" {
            plan.objectCounts[adoption.name] = try await s3.listObjectVersions(bucket: adoption.name).count
        }
        if plan.oldStack == nil && ourBuild == nil && plan.buildImports.isEmpty {
            throw DeployError("there is nothing to take over: no stack \(spec.oldStackName) and none of its buckets or repository in aws://\(spec.buildStack.account ?? "?")/\(region)",
                              hint: "for a new deployment run `tsdeploy deploy`")
        }

        // What the old build made outside any template.
        var inStack = Set<String>()
        plan.functionsStackDeployed = true
        for stack in spec.functionsStacks {
            let deployed = try await cloudFormation.describeStack(stack.name)
            if let deployed, deployed.status != "REVIEW_IN_PROGRESS" {
                inStack.formUnion(try await cloudFormation.listStackResources(stack.name).compactMap(\.physicalId))
            }
            if try await !deployedAsSynthesized(stack, deployed, cloudFormation) { plan.functionsStackDeployed = false }
        }
        let lambda = try session.lambda(region: region)
        var legacy = Set<String>()
        for name in spec.legacyFunctions where !inStack.contains(name) {
            if try await lambda.getFunction(name) != nil { legacy.insert(name) }
        }
        for f in try await lambda.listFunctions() where f.FunctionName.hasPrefix(spec.legacyFunctionPrefix) && !inStack.contains(f.FunctionName) {
            legacy.insert(f.FunctionName)
        }
        plan.functions = legacy.sorted()
        let events = try session.events(region: region)
        for fn in Set(spec.legacyFunctions).union(legacy).sorted() {
            let rule = fn + spec.legacyRuleSuffix
            if try await events.describeRule(rule) != nil { plan.rules.append(rule) }
        }
        if try await s3.bucketExists(spec.inputBucket) {
            let config = try await s3.getBucketNotificationConfiguration(spec.inputBucket)
            plan.notificationIds = Self.legacyNotifications(config, prefix: spec.legacyFunctionPrefix, suffix: spec.legacyNotificationSuffix)
        }
        if !plan.functionsStackDeployed {
            let logs = try session.logs(region: region)
            let existing = Set(try await logs.logGroupNames(prefix: "/aws/lambda/" + spec.legacyFunctionPrefix))
            for stack in spec.functionsStacks {
                let adoptions = Self.named(stack.template, types: ["AWS::Logs::LogGroup"]).filter { existing.contains($0.name) && !inStack.contains($0.name) }
                if !adoptions.isEmpty { plan.logImports[stack.name] = adoptions }
            }
        }
        return plan
    }

    /// Ours, and deployed with exactly the template synthesized now (an imported stack, or one
    /// whose deploy was interrupted, is not).
    func deployedAsSynthesized(_ stack: DeployableStack, _ deployed: CloudFormation.Stack?, _ cloudFormation: CloudFormationClient) async throws -> Bool {
        guard let deployed, !StackStatus.isInProgress(deployed.status), deployed.status != "REVIEW_IN_PROGRESS",
              deployed.tags.contains(where: { $0.key == stack.owner?.key && $0.value == stack.owner?.value }) else { return false }
        return (try? JSONValue.parse(try await cloudFormation.getTemplate(deployed.id))) == stack.template
    }

    static func named(_ template: JSONValue, types: Set<String>) -> [Adoption] {
        (template["Resources"]?.objectValue ?? [:]).compactMap { id, r in
            guard let type = r["Type"]?.stringValue, types.contains(type), let key = identifierKeys[type],
                  let name = r["Properties"]?[key]?.stringValue else { return nil }
            return Adoption(logicalId: id, type: type, name: name)
        }.sorted { ($0.type, $0.name) < ($1.type, $1.name) }
    }

    /// Lambda notifications of the input bucket that the old build put: its id suffix and a
    /// function of its prefix. Anyone else's notifications are not touched.
    static func legacyNotifications(_ config: XMLNode, prefix: String, suffix: String) -> [String] {
        config.children("CloudFunctionConfiguration").compactMap { c -> String? in
            guard let id = c.string("Id"), let arn = c.string("CloudFunction") ?? c.string("LambdaFunctionArn"),
                  id.hasSuffix(suffix), arn.split(separator: ":").last.map({ $0.hasPrefix(prefix) }) == true else { return nil }
            return id
        } + config.children("LambdaFunctionConfiguration").compactMap { c -> String? in
            guard let id = c.string("Id"), let arn = c.string("CloudFunction") ?? c.string("LambdaFunctionArn"),
                  id.hasSuffix(suffix), arn.split(separator: ":").last.map({ $0.hasPrefix(prefix) }) == true else { return nil }
            return id
        }
    }

    // MARK: render

    public static func render(_ plan: Plan, spec: Spec, account: String, region: String) -> String {
        var lines = ["Taking over the aws-template deployment in aws://\(account)/\(region):"]
        var step = 0
        func add(_ s: String) { step += 1; lines.append("  \(step). " + s) }
        if let old = plan.oldStack {
            let counts = plan.keptByOldStack.map { k in
                "\(k.type.split(separator: ":").last ?? "") \(k.name)" + (plan.objectCounts[k.name].map { " (\($0) object versions)" } ?? "")
            }
            if !plan.retention.isEmpty {
                let tags = Set(plan.retention.flatMap(\.removedTags)).sorted()
                add("keep the data of \(old.name) (made by \(plan.oldTool ?? "AWS CDK")): DeletionPolicy Retain on "
                    + plan.retention.map(\.logicalId).joined(separator: ", ")
                    + (tags.isEmpty ? "" : "; remove the tags \(tags.joined(separator: ", ")) that make CDK's custom resources empty them"))
            }
            add("delete \(old.name); it keeps \(counts.joined(separator: ", ")); it deletes \(plan.deletedWithOldStack.count) other resource(s) "
                + "(\(Set(plan.deletedWithOldStack.map { String($0.type.split(separator: ":").last ?? "") }).sorted().joined(separator: ", "))), which tsdeploy makes again")
        }
        if !plan.buildImports.isEmpty {
            add("import into \(spec.buildStack.name): " + plan.buildImports.map { "\($0.type.split(separator: ":").last ?? "") \($0.name)" }.joined(separator: ", "))
        }
        if !plan.buildStackDeployed { add("deploy \(spec.buildStack.name)") }
        if !plan.notificationIds.isEmpty { add("remove the old build's S3 notifications from \(spec.inputBucket): \(plan.notificationIds.joined(separator: ", ")) (others kept)") }
        if !plan.rules.isEmpty { add("delete the old build's rules: \(plan.rules.joined(separator: ", "))") }
        if !plan.functions.isEmpty { add("delete the old build's functions (their log groups are kept): \(plan.functions.joined(separator: ", "))") }
        for (stack, adoptions) in plan.logImports.sorted(by: { $0.key < $1.key }) {
            add("import into \(stack) the log groups " + adoptions.map(\.name).joined(separator: ", "))
        }
        if !plan.functionsStackDeployed {
            add("deploy \(spec.functionsStacks.map(\.name).joined(separator: ", ")) (each site's function and trigger; until then new objects wait in the bucket)")
        }
        if step == 0 { lines.append("  nothing: the deployment is already tsdeploy's") }
        return lines.joined(separator: "\n")
    }

    // MARK: run

    /// Runs the plan; `deploy` deploys one of our stacks through the normal engine.
    public func run(_ plan: Plan, deploy: @Sendable (DeployableStack) async throws -> DeployResult) async throws {
        let cloudFormation = try session.cloudFormation(region: region)
        let s3 = try session.s3(region: region)
        var deployOptions = options
        deployOptions.requireApproval = .never
        let deployer = StackDeployer(cloudFormation: cloudFormation, s3: s3, reporter: reporter, options: deployOptions)

        if let old = plan.oldStack {
            if old.status != "DELETE_IN_PROGRESS" {
                if !plan.retention.isEmpty, let template = plan.retainedTemplate {
                    try await ChangeSetRun(deployer: deployer, name: old.name).run(
                        kind: .update, templateBody: try template.jsonText(), parameters: old.parameters.map { .init(usePrevious: $0.key) },
                        capabilities: ["CAPABILITY_IAM", "CAPABILITY_NAMED_IAM", "CAPABILITY_AUTO_EXPAND"], tags: old.tags,
                        region: region, account: spec.buildStack.account, description: "tsdeploy migrate: retain data, remove auto-delete tags")
                }
                try await verifyRetained(old.name, cloudFormation: cloudFormation, s3: s3)
                reporter.info(old.name, "deleting (its data is retained)")
                let last = try await deployer.watcher.lastEventId(old.id)
                try await cloudFormation.deleteStack(old.id)
                options.inFlight.started(old.name)
                let outcome = try await deployer.watcher.follow(old.id, name: old.name, after: last, progress: StackProgress(total: plan.deletedWithOldStack.count))
                guard outcome.status == "DELETE_COMPLETE" else {
                    throw DeployError("\(old.name) could not be deleted (\(outcome.status)); its data resources are retained",
                                      hint: "see the stack's events; fix the cause and run migrate again (it continues from here)")
                }
            }
        }
        for adoption in plan.buildImports where adoption.type == "AWS::S3::Bucket" {
            guard try await s3.bucketExists(adoption.name) else {
                throw DeployError("bucket \(adoption.name) is gone after the old stack was deleted", hint: "stop and check the bucket's history in CloudTrail")
            }
        }

        if !plan.buildImports.isEmpty {
            try await importInto(spec.buildStack, plan.buildImports, deployer: deployer)
        }
        _ = try await deploy(spec.buildStack)

        if !plan.notificationIds.isEmpty {
            var config = try await s3.getBucketNotificationConfiguration(spec.inputBucket)
            config.children.removeAll { c in
                ["CloudFunctionConfiguration", "LambdaFunctionConfiguration"].contains(c.name) && plan.notificationIds.contains(c.string("Id") ?? "")
            }
            try await s3.putBucketNotificationConfiguration(spec.inputBucket, config)
            reporter.info(spec.buildStack.name, "removed \(plan.notificationIds.count) old S3 notification(s) from \(spec.inputBucket)")
        }
        let events = try session.events(region: region)
        for rule in plan.rules { try await events.deleteRuleAndTargets(rule) }
        if !plan.rules.isEmpty { reporter.info(spec.functionsStack.name, "deleted \(plan.rules.count) old rule(s)") }
        let lambda = try session.lambda(region: region)
        for fn in plan.functions { try await lambda.deleteFunction(fn) }
        if !plan.functions.isEmpty { reporter.info(spec.functionsStack.name, "deleted \(plan.functions.count) old function(s); their log groups are kept") }

        for stack in spec.functionsStacks {
            if let adoptions = plan.logImports[stack.name] { try await importInto(stack, adoptions, deployer: deployer) }
        }
        for stack in spec.functionsStacks { _ = try await deploy(stack) }

        for (bucket, before) in plan.objectCounts {
            let after = try await s3.listObjectVersions(bucket: bucket).count
            guard after >= before else {
                throw DeployError("bucket \(bucket) had \(before) object versions before the takeover and has \(after) now",
                                  hint: "stop and check the bucket (versioning, lifecycle rules, CloudTrail)")
            }
        }
    }

    /// The data resources the old stack still describes must be Retain and untagged, on
    /// the deployed template and on the resources themselves.
    func verifyRetained(_ stack: String, cloudFormation: CloudFormationClient, s3: S3Client) async throws {
        let deployed = try JSONValue.parse(try await cloudFormation.getTemplate(stack))
        let pending = CDKDataRetention.retainingData(deployed).changes
        guard pending.isEmpty else {
            throw DeployError("\(stack) still has data resources without DeletionPolicy Retain or with auto-delete tags: \(pending.map(\.logicalId).joined(separator: ", "))",
                              hint: "nothing was deleted; run migrate again")
        }
        for r in try await cloudFormation.listStackResources(stack) {
            guard let id = r.physicalId else { continue }
            // The template no longer declares the tag; one still on the resource (set outside
            // the template, or an update that did not reach the tags) is removed directly.
            if r.resourceType == "AWS::S3::Bucket" {
                let tags = try await s3.getBucketTagging(id)
                if tags.keys.contains(where: { $0.hasPrefix(CDKDataRetention.autoDeleteTagPrefix) }) {
                    try await s3.putBucketTagging(id, tags.filter { !$0.key.hasPrefix(CDKDataRetention.autoDeleteTagPrefix) })
                    reporter.info(stack, "removed the auto-delete tag from bucket \(id) directly")
                }
                try await requireUntagged(id, try await s3.getBucketTagging(id), stack: stack)
            }
            if r.resourceType == "AWS::ECR::Repository", let account = spec.buildStack.account {
                let ecr = try session.ecr(region: region)
                let arn = "arn:\(partition):ecr:\(region):\(account):repository/\(id)"
                let keys = try await ecr.listTags(arn).keys.filter { $0.hasPrefix(CDKDataRetention.autoDeleteTagPrefix) }
                if !keys.isEmpty {
                    try await ecr.untag(arn, keys: Array(keys))
                    reporter.info(stack, "removed the auto-delete tag from repository \(id) directly")
                }
                try await requireUntagged(id, try await ecr.listTags(arn), stack: stack)
            }
        }
    }

    func requireUntagged(_ id: String, _ tags: [String: String], stack: String) async throws {
        if let tag = tags.keys.first(where: { $0.hasPrefix(CDKDataRetention.autoDeleteTagPrefix) }) {
            throw DeployError("\(id) still carries the tag \(tag): deleting \(stack) would let CDK's custom resource empty it",
                              hint: "nothing was deleted; remove the tag yourself and run migrate again")
        }
    }

    /// An IMPORT change set: a new stack (or an existing one of ours) adopts existing
    /// resources, described as our template describes them.
    func importInto(_ stack: DeployableStack, _ adoptions: [Adoption], deployer: StackDeployer) async throws {
        let cloudFormation = deployer.cloudFormation
        var existing = try await cloudFormation.describeStack(stack.name)
        if existing?.status == "REVIEW_IN_PROGRESS" {
            // The empty shell of an interrupted import: removed so the import starts clean.
            try await deployer.cleanUpReview(stack.name)
            existing = nil
        }
        var resources: [String: JSONValue] = [:]
        if let existing {
            resources = (try JSONValue.parse(try await cloudFormation.getTemplate(existing.id)))["Resources"]?.objectValue ?? [:]
        }
        let ids = Set(adoptions.map(\.logicalId)).union(resources.keys)
        for a in adoptions {
            guard case .object(var r)? = stack.template["Resources"]?[a.logicalId] else { continue }
            if case .object(var props)? = r["Properties"] {
                // Properties naming resources that are not there yet come with the next deploy.
                for (key, value) in props where Self.references(value).contains(where: { !ids.contains($0) }) { props.removeValue(forKey: key) }
                r["Properties"] = .object(props)
            }
            // As synthesized, so the deploy that follows has nothing to change on it; IMPORT
            // needs a DeletionPolicy, and Retain is the one when the template has none.
            if r["DeletionPolicy"] == nil { r["DeletionPolicy"] = .string("Retain") }
            r.removeValue(forKey: "DependsOn")
            r.removeValue(forKey: "Metadata")
            resources[a.logicalId] = .object(r)
        }
        let template: JSONValue = .object(["AWSTemplateFormatVersion": .string("2010-09-09"), "Resources": .object(resources)])
        try await ChangeSetRun(deployer: deployer, name: stack.name).run(
            kind: .import,
            templateBody: try template.jsonText(), capabilities: [], tags: stack.tags,
            imports: adoptions.map { .init(type: $0.type, logicalId: $0.logicalId, identifier: [$0.identifierKey: $0.name]) },
            region: region, account: stack.account, description: "tsdeploy migrate: adopt \(adoptions.map(\.name).joined(separator: ", "))")
    }

    /// Logical IDs a value refers to (Ref, Fn::GetAtt, ${…} in Fn::Sub), pseudo parameters aside.
    static func references(_ v: JSONValue) -> Set<String> {
        switch v {
        case .object(let o):
            var out = Set<String>()
            if let r = o["Ref"]?.stringValue, !r.hasPrefix("AWS::") { out.insert(r) }
            if let g = o["Fn::GetAtt"] { if let first = g.arrayValue.first?.stringValue ?? g.stringValue?.split(separator: ".").first.map(String.init) { out.insert(first) } }
            if let sub = o["Fn::Sub"] {
                let text = sub.stringValue ?? sub.arrayValue.first?.stringValue ?? ""
                let locals = Set(sub.arrayValue.dropFirst().first?.objectValue.keys.map { $0 } ?? [])
                var rest = Substring(text)
                while let start = rest.range(of: "${") {
                    rest = rest[start.upperBound...]
                    guard let end = rest.firstIndex(of: "}") else { break }
                    let name = String(rest[..<end]).split(separator: ".").first.map(String.init) ?? ""
                    if !name.hasPrefix("AWS::"), !name.hasPrefix("!"), !locals.contains(name) { out.insert(name) }
                    rest = rest[rest.index(after: end)...]
                }
            }
            for (k, value) in o where k != "Ref" && k != "Fn::GetAtt" { out.formUnion(references(value)) }
            return out
        case .array(let a): return a.reduce(into: Set<String>()) { $0.formUnion(references($1)) }
        default: return []
        }
    }
}
