import Foundation

/// CloudFormation (query protocol, 2010-05-15). Paged calls return every page.
public struct CloudFormationClient: Sendable {
    public typealias CF = CloudFormation
    public let client: AWSClient
    static let version = "2010-05-15"
    public init(_ client: AWSClient) { self.client = client }

    func call(_ action: String, _ p: QueryParameters = QueryParameters()) async throws -> XMLNode {
        try await client.query(action, version: Self.version, p)
    }

    /// Every page of a `NextToken`-paged call.
    func paged(_ action: String, _ p: QueryParameters, _ each: (XMLNode) throws -> Void) async throws {
        var token: String?
        repeat {
            var page = p
            page.add("NextToken", token)
            let result = try await call(action, page)
            try each(result)
            token = result.string("NextToken").flatMap { $0.isEmpty ? nil : $0 }
        } while token != nil
    }

    // MARK: stacks

    public func describeStacks(_ name: String? = nil) async throws -> [CF.Stack] {
        var p = QueryParameters()
        p.add("StackName", name)
        var stacks: [CF.Stack] = []
        try await paged("DescribeStacks", p) { stacks += $0.members("Stacks").map(Self.stack) }
        return stacks
    }

    /// nil when there is no such stack (CloudFormation says so with a ValidationError).
    public func describeStack(_ name: String) async throws -> CF.Stack? {
        do { return try await describeStacks(name).first } catch let error as AWSError where Self.isMissingStack(error) {
            return nil
        }
    }

    public static func isMissingStack(_ error: AWSError) -> Bool {
        error.code == "ValidationError" && error.message.contains("does not exist")
    }

    public func getTemplate(_ stack: String, stage: String = "Original") async throws -> String {
        var p = QueryParameters()
        p.add("StackName", stack)
        p.add("TemplateStage", stage)
        return try await call("GetTemplate", p).string("TemplateBody") ?? ""
    }

    public func deleteStack(_ name: String, retainResources: [String]? = nil, roleARN: String? = nil,
                            clientRequestToken: String? = nil) async throws {
        var p = QueryParameters()
        p.add("StackName", name)
        if let retainResources, !retainResources.isEmpty { p.addList("RetainResources", retainResources) }
        p.add("RoleARN", roleARN)
        p.add("ClientRequestToken", clientRequestToken)
        _ = try await call("DeleteStack", p)
    }

    public func continueUpdateRollback(_ name: String, roleARN: String? = nil, resourcesToSkip: [String] = []) async throws {
        var p = QueryParameters()
        p.add("StackName", name)
        p.add("RoleARN", roleARN)
        if !resourcesToSkip.isEmpty { p.addList("ResourcesToSkip", resourcesToSkip) }
        _ = try await call("ContinueUpdateRollback", p)
    }

    // MARK: change sets

    public func createChangeSet(_ input: CF.CreateChangeSetInput) async throws -> (id: String, stackId: String) {
        var p = QueryParameters()
        p.add("StackName", input.stackName)
        p.add("ChangeSetName", input.changeSetName)
        p.add("ChangeSetType", input.kind.rawValue)
        p.add("TemplateBody", input.templateBody)
        p.add("TemplateURL", input.templateURL)
        p.addStructs("Parameters", input.parameters.isEmpty ? nil : input.parameters.map { parameter in
            parameter.usePreviousValue ? [("ParameterKey", parameter.key), ("UsePreviousValue", "true")]
                : [("ParameterKey", parameter.key), ("ParameterValue", parameter.value ?? "")]
        })
        if !input.capabilities.isEmpty { p.addList("Capabilities", input.capabilities) }
        p.addStructs("Tags", input.tags.isEmpty ? nil : input.tags.map { [("Key", $0.key), ("Value", $0.value)] })
        p.add("RoleARN", input.roleARN)
        for (i, r) in input.resourcesToImport.enumerated() {
            let member = "ResourcesToImport.member.\(i + 1)"
            p.add(member + ".ResourceType", r.type)
            p.add(member + ".LogicalResourceId", r.logicalId)
            for (j, (key, value)) in r.identifier.sorted(by: { $0.key < $1.key }).enumerated() {
                p.add(member + ".ResourceIdentifier.entry.\(j + 1).key", key)
                p.add(member + ".ResourceIdentifier.entry.\(j + 1).value", value)
            }
        }
        p.add("Description", input.description)
        p.add("ClientToken", input.clientToken)
        let result = try await call("CreateChangeSet", p)
        guard let id = result.string("Id") else { throw AWSResponseError("CreateChangeSet answered without an Id") }
        return (id, result.string("StackId") ?? "")
    }

    /// All pages of the change set's changes. Address change sets by ARN: by name the
    /// emulator confuses change sets of different stacks.
    public func describeChangeSet(_ id: String, stackName: String? = nil) async throws -> CF.ChangeSet {
        var p = QueryParameters()
        p.add("ChangeSetName", id)
        p.add("StackName", stackName)
        var changeSet: CF.ChangeSet?
        try await paged("DescribeChangeSet", p) { result in
            let changes = result.members("Changes").compactMap { $0.child("ResourceChange") }.map(Self.resourceChange)
            if changeSet == nil {
                changeSet = CF.ChangeSet(id: result.string("ChangeSetId") ?? id, name: result.string("ChangeSetName") ?? "",
                                         stackId: result.string("StackId") ?? "", status: result.string("Status") ?? "",
                                         statusReason: result.string("StatusReason"), executionStatus: result.string("ExecutionStatus"),
                                         changes: changes)
            } else {
                changeSet?.changes += changes
            }
        }
        guard let changeSet else { throw AWSResponseError("DescribeChangeSet answered without a change set") }
        return changeSet
    }

    public func executeChangeSet(_ id: String, clientRequestToken: String? = nil) async throws {
        var p = QueryParameters()
        p.add("ChangeSetName", id)
        p.add("ClientRequestToken", clientRequestToken)
        _ = try await call("ExecuteChangeSet", p)
    }

    public func deleteChangeSet(_ id: String) async throws {
        var p = QueryParameters()
        p.add("ChangeSetName", id)
        _ = try await call("DeleteChangeSet", p)
    }

    public func listChangeSets(_ stack: String) async throws -> [(id: String, name: String, status: String)] {
        var p = QueryParameters()
        p.add("StackName", stack)
        var sets: [(id: String, name: String, status: String)] = []
        try await paged("ListChangeSets", p) { result in
            sets += result.members("Summaries").map { ($0.string("ChangeSetId") ?? "", $0.string("ChangeSetName") ?? "", $0.string("Status") ?? "") }
        }
        return sets
    }

    // MARK: events and resources

    /// One page of events, newest first.
    public func describeStackEvents(_ stack: String, nextToken: String? = nil) async throws -> (events: [CF.StackEvent], nextToken: String?) {
        var p = QueryParameters()
        p.add("StackName", stack)
        p.add("NextToken", nextToken)
        let result = try await call("DescribeStackEvents", p)
        return (result.members("StackEvents").map(Self.event), result.string("NextToken").flatMap { $0.isEmpty ? nil : $0 })
    }

    public func listStackResources(_ stack: String) async throws -> [CF.StackResource] {
        var p = QueryParameters()
        p.add("StackName", stack)
        var resources: [CF.StackResource] = []
        try await paged("ListStackResources", p) { result in
            resources += result.members("StackResourceSummaries").compactMap { Self.resource($0, timeKey: "LastUpdatedTimestamp") }
        }
        return resources
    }

    public func describeStackResources(_ stack: String) async throws -> [CF.StackResource] {
        var p = QueryParameters()
        p.add("StackName", stack)
        // The emulator sends empty members for types it does not model: skip them.
        return try await call("DescribeStackResources", p).members("StackResources").compactMap { Self.resource($0, timeKey: "Timestamp") }
    }

    public func listExports() async throws -> [CF.Export] {
        var exports: [CF.Export] = []
        try await paged("ListExports", QueryParameters()) { result in
            exports += result.members("Exports").map {
                CF.Export(name: $0.string("Name") ?? "", value: $0.string("Value") ?? "", exportingStackId: $0.string("ExportingStackId") ?? "")
            }
        }
        return exports
    }

    // MARK: drift

    public func detectStackDrift(_ stack: String) async throws -> String {
        var p = QueryParameters()
        p.add("StackName", stack)
        guard let id = try await call("DetectStackDrift", p).string("StackDriftDetectionId") else {
            throw AWSResponseError("DetectStackDrift answered without a detection id")
        }
        return id
    }

    public func describeStackDriftDetectionStatus(_ id: String) async throws -> (status: String, driftStatus: String?, reason: String?) {
        var p = QueryParameters()
        p.add("StackDriftDetectionId", id)
        let result = try await call("DescribeStackDriftDetectionStatus", p)
        return (result.string("DetectionStatus") ?? "", result.string("StackDriftStatus"), result.string("DetectionStatusReason"))
    }

    public func describeStackResourceDrifts(_ stack: String) async throws -> [CF.ResourceDrift] {
        var p = QueryParameters()
        p.add("StackName", stack)
        var drifts: [CF.ResourceDrift] = []
        try await paged("DescribeStackResourceDrifts", p) { result in
            drifts += result.members("StackResourceDrifts").map {
                CF.ResourceDrift(logicalId: $0.string("LogicalResourceId") ?? "", physicalId: $0.string("PhysicalResourceId"),
                                 resourceType: $0.string("ResourceType") ?? "", status: $0.string("StackResourceDriftStatus") ?? "")
            }
        }
        return drifts
    }

    // MARK: parsing

    static func stack(_ n: XMLNode) -> CF.Stack {
        CF.Stack(
            id: n.string("StackId") ?? "", name: n.string("StackName") ?? "", status: n.string("StackStatus") ?? "",
            statusReason: n.string("StackStatusReason"), description: n.string("Description"),
            creationTime: n.string("CreationTime").flatMap(Timestamps.iso8601),
            lastUpdatedTime: n.string("LastUpdatedTime").flatMap(Timestamps.iso8601),
            parameters: n.members("Parameters").map { m in
                CF.Parameter(key: m.string("ParameterKey") ?? "", value: m.string("ResolvedValue") ?? m.string("ParameterValue") ?? "")
            },
            outputs: n.members("Outputs").map {
                CF.Output(key: $0.string("OutputKey") ?? "", value: $0.string("OutputValue") ?? "",
                          description: $0.string("Description"), exportName: $0.string("ExportName"))
            },
            tags: n.members("Tags").map { CF.Tag(key: $0.string("Key") ?? "", value: $0.string("Value") ?? "") },
            capabilities: n.members("Capabilities").map(\.text), roleARN: n.string("RoleARN"),
            terminationProtection: n.bool("EnableTerminationProtection") ?? false)
    }

    static func resourceChange(_ n: XMLNode) -> CF.ResourceChange {
        CF.ResourceChange(
            action: n.string("Action") ?? "", logicalId: n.string("LogicalResourceId") ?? "",
            physicalId: n.string("PhysicalResourceId"), resourceType: n.string("ResourceType") ?? "",
            replacement: n.string("Replacement"), scope: n.members("Scope").map(\.text),
            details: n.members("Details").map { d in
                let target = d.child("Target")
                return CF.ResourceChangeDetail(attribute: target?.string("Attribute"), name: target?.string("Name"),
                                               requiresRecreation: target?.string("RequiresRecreation"),
                                               evaluation: d.string("Evaluation"), changeSource: d.string("ChangeSource"),
                                               causingEntity: d.string("CausingEntity"))
            })
    }

    static func event(_ n: XMLNode) -> CF.StackEvent {
        CF.StackEvent(eventId: n.string("EventId") ?? "", stackId: n.string("StackId") ?? "", stackName: n.string("StackName") ?? "",
                      logicalId: n.string("LogicalResourceId") ?? "", physicalId: n.string("PhysicalResourceId"),
                      resourceType: n.string("ResourceType") ?? "",
                      timestamp: n.string("Timestamp").flatMap(Timestamps.iso8601) ?? Date(timeIntervalSince1970: 0),
                      status: n.string("ResourceStatus") ?? "", statusReason: n.string("ResourceStatusReason"),
                      clientRequestToken: n.string("ClientRequestToken"))
    }

    static func resource(_ n: XMLNode, timeKey: String) -> CF.StackResource? {
        guard let logicalId = n.string("LogicalResourceId") else { return nil }
        return CF.StackResource(logicalId: logicalId, physicalId: n.string("PhysicalResourceId"),
                                resourceType: n.string("ResourceType") ?? "", status: n.string("ResourceStatus") ?? "",
                                statusReason: n.string("ResourceStatusReason"),
                                lastUpdated: n.string(timeKey).flatMap(Timestamps.iso8601))
    }
}
