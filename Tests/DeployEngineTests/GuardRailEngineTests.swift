@testable import AWSClient
@testable import DeployEngine
import CloudFormation
import ConstructCore
import Foundation
import Testing

/// Issue 9's engine guard rails, against recorded real-AWS-shaped answers where the
/// emulator cannot show the behaviour (a failing poll, Replacement in a change set).
@Suite struct DataLossTests {
    static func template(_ resources: String) throws -> JSONValue { try JSONValue.parse(#"{"Resources":{"# + resources + "}}") }

    @Test func removalAndReplacementOfDataResourcesAreFoundRetainedOnesAreNot() throws {
        let old = try Self.template(#"""
            "Logs":{"Type":"AWS::Logs::LogGroup","Properties":{"LogGroupName":"/a"}},
            "Kept":{"Type":"AWS::S3::Bucket","DeletionPolicy":"Retain","Properties":{}},
            "Repo":{"Type":"AWS::ECR::Repository","Properties":{"RepositoryName":"a"}},
            "Safe":{"Type":"AWS::ECR::Repository","UpdateReplacePolicy":"Retain","Properties":{"RepositoryName":"s"}},
            "Topic":{"Type":"AWS::SNS::Topic","Properties":{}}
            """#)
        let new = try Self.template(#"""
            "Repo":{"Type":"AWS::ECR::Repository","Properties":{"RepositoryName":"b"}},
            "Safe":{"Type":"AWS::ECR::Repository","UpdateReplacePolicy":"Retain","Properties":{"RepositoryName":"t"}}
            """#)
        let losses = TemplateDiff(old: old, new: new).dataLoss
        #expect(losses.map(\.logicalId) == ["Logs", "Repo"])
        #expect(losses.map(\.cause) == [.removal, .replacement])
    }

    @Test func aReplacementOnlyTheChangeSetKnowsIsFound() throws {
        let old = try Self.template(#""Data":{"Type":"AWS::S3::Bucket","Properties":{}}"#)
        let change = CloudFormation.ResourceChange(action: "Modify", logicalId: "Data", physicalId: "app-data-1x2y", resourceType: "AWS::S3::Bucket",
                                                   replacement: "True", scope: [], details: [])
        let losses = DataLoss.inChangeSet([change], old: old, predicted: [])
        #expect(losses.map(\.description) == ["AWS::S3::Bucket Data (app-data-1x2y) would be replaced"])
    }
}

@Suite struct StackGuardTests {
    static func stack(owner: String? = "main") throws -> DeployableStack {
        let app = App()
        let stack = Stack(app, "Stack", stackName: "app-main-Stack", env: Environment(account: "123456789012", region: "us-west-2"))
        _ = CfnResource(stack, "Data", type: "AWS::S3::Bucket", properties: ["BucketName": "app-main-data"])
        _ = CfnResource(stack, "Logs", type: "AWS::Logs::LogGroup", properties: ["LogGroupName": "/app"])
        var p = Parameter(logicalId: "ImageRef", description: "image", defaultValue: ":latest")
        p.allowedPattern = "^(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$"
        p.constraintDescription = "':TAG' or '@sha256:DIGEST'"
        _ = stack.addParameter(p)
        if let owner { stack.addEngineMetadata("tsdeploy:owner", ["tag": "tsdeploy:branch", "value": .string(owner)], at: stack) }
        return try DeployableStack(try app.synthesize()[0])
    }

    static func deployed(tags: [(String, String)]) -> CloudFormation.Stack {
        CloudFormation.Stack(id: Recorded.stackId, name: "app-main-Stack", status: "UPDATE_COMPLETE", statusReason: nil,
                             parameters: [], outputs: [], tags: tags.map { CloudFormation.Tag(key: $0.0, value: $0.1) },
                             capabilities: [], terminationProtection: false)
    }

    @Test func anotherBranchsStackIsRefusedByItsTag() throws {
        let ours = try Self.stack()
        #expect(ours.tags.contains(CloudFormation.Tag(key: "tsdeploy:branch", value: "main")))
        #expect(throws: Never.self) { try StackOwnership.check(ours, deployed: Self.deployed(tags: [("tsdeploy:branch", "main")]), template: nil) }
        let other = #expect(throws: DeployError.self) {
            try StackOwnership.check(ours, deployed: Self.deployed(tags: [("tsdeploy:branch", "a_b")]), template: nil)
        }
        #expect(other?.message.contains("belongs to branch 'a_b'") == true)
        #expect(throws: DeployError.self) { try StackOwnership.check(ours, deployed: Self.deployed(tags: []), template: nil) }
    }

    @Test func aCDKStackIsNeverOurs() throws {
        let cdk = try JSONValue.parse(#"{"Resources":{"CDKMetadata":{"Type":"AWS::CDK::Metadata"},"B":{"Type":"AWS::S3::Bucket"}}}"#)
        let error = #expect(throws: DeployError.self) {
            try StackOwnership.check(try Self.stack(owner: nil), deployed: Self.deployed(tags: []), template: cdk)
        }
        #expect(error?.message.contains("was made by AWS CDK") == true)
        let autoDelete = try JSONValue.parse(#"{"Resources":{"X":{"Type":"Custom::S3AutoDeleteObjects"}}}"#)
        #expect(StackOwnership.foreignTool(autoDelete) == "AWS CDK")
    }

    @Test func parametersAreCheckedByNameStackAndPattern() throws {
        let stacks = [try Self.stack()]
        #expect(try ParameterOverrides.resolve(["ImageRef": ":v1"], stacks: stacks) == ["app-main-Stack": ["ImageRef": ":v1"]])
        #expect(try ParameterOverrides.resolve(["Stack:ImageRef": "@sha256:" + String(repeating: "a", count: 64)], stacks: stacks).count == 1)
        let unknown = #expect(throws: DeployError.self) { try ParameterOverrides.resolve(["imageref": ":v1"], stacks: stacks) }
        #expect(unknown?.hint?.contains("did you mean 'ImageRef'?") == true)
        #expect(throws: DeployError.self) { try ParameterOverrides.resolve(["Other:ImageRef": ":v1"], stacks: stacks) }
        let invalid = #expect(throws: DeployError.self) { try ParameterOverrides.resolve(["ImageRef": "latest"], stacks: stacks) }
        #expect(invalid?.message.contains("':TAG' or '@sha256:DIGEST'") == true)
    }

    @Test func changeSetNamesAreUniqueWithinASecondAndValid() {
        let now = Date()
        let a = StackDeployer.changeSetName(now: now), b = StackDeployer.changeSetName(now: now)
        #expect(a != b)
        #expect(a.range(of: "^[a-zA-Z][-a-zA-Z0-9]{0,127}$", options: .regularExpression) != nil)
    }
}

@Suite struct ChangeSetCleanupTests {
    static let removingLogs = """
        <ChangeSetId>\(Recorded.changeSetId)</ChangeSetId><StackId>\(Recorded.stackId)</StackId><Status>CREATE_COMPLETE</Status>\
        <ExecutionStatus>AVAILABLE</ExecutionStatus><Changes><member><Type>Resource</Type><ResourceChange><Action>Remove</Action>\
        <LogicalResourceId>Old</LogicalResourceId><PhysicalResourceId>/app/old</PhysicalResourceId><ResourceType>AWS::Logs::LogGroup</ResourceType>\
        </ResourceChange></member></Changes>
        """

    func deployer(_ aws: RecordedAWS, allow: Bool = false, inFlight: InFlight = InFlight()) -> StackDeployer {
        var options = DeployOptions()
        options.pollInterval = 0
        options.requireApproval = .never
        options.allowDataLoss = allow
        options.inFlight = inFlight
        return StackDeployer(cloudFormation: aws.cloudFormation, s3: nil, reporter: RecordingReporter(), options: options)
    }

    func recorded(describeChangeSet: String) -> RecordedAWS {
        RecordedAWS([
            "DescribeStacks": [Recorded.stack("UPDATE_COMPLETE").replacingOccurrences(of: "<Tags/>",
                with: "<Tags><member><Key>tsdeploy:branch</Key><Value>main</Value></member></Tags>")],
            "GetTemplate": [#"<TemplateBody>{"Resources":{"Old":{"Type":"AWS::Logs::LogGroup","Properties":{"LogGroupName":"/app/old"}}}}</TemplateBody>"#],
            "CreateChangeSet": ["<Id>\(Recorded.changeSetId)</Id><StackId>\(Recorded.stackId)</StackId>"],
            "DescribeChangeSet": [describeChangeSet],
            "DeleteChangeSet": [""], "ExecuteChangeSet": [""], "ListStackResources": ["<StackResourceSummaries/>"],
            "DescribeStackEvents": [Recorded.events([Recorded.event("e1", "app-main-Stack", "AWS::CloudFormation::Stack", "UPDATE_COMPLETE", "00:00")])],
        ])
    }

    @Test func deletingDataStopsWithoutATerminalAndLeavesNoChangeSet() async throws {
        let aws = recorded(describeChangeSet: Self.removingLogs)
        let error = await #expect(throws: DeployError.self) {
            _ = try await deployer(aws).deploy(try StackGuardTests.stack(), parameters: [.init(key: "ImageRef", value: ":latest")])
        }
        #expect(error?.message.contains("AWS::Logs::LogGroup Old (/app/old) would be deleted") == true)
        #expect(error?.hint?.contains("--allow-destroy-data") == true)
        #expect(aws.actions.contains("DeleteChangeSet"))
        #expect(!aws.actions.contains("ExecuteChangeSet"))
    }

    @Test func allowDestroyDataExecutes() async throws {
        let aws = recorded(describeChangeSet: Self.removingLogs)
        _ = try await deployer(aws, allow: true).deploy(try StackGuardTests.stack(), parameters: [.init(key: "ImageRef", value: ":latest")])
        #expect(aws.actions.contains("ExecuteChangeSet"))
    }

    /// A poll that fails between CreateChangeSet and ExecuteChangeSet (throttled past its
    /// retries here) must still delete the change set.
    @Test func aFailedPollDeletesTheChangeSet() async throws {
        let aws = recorded(describeChangeSet: "ERROR Rate exceeded")
        await #expect(throws: AWSError.self) {
            _ = try await deployer(aws).deploy(try StackGuardTests.stack(), parameters: [.init(key: "ImageRef", value: ":latest")])
        }
        #expect(aws.actions.suffix(3).contains("DeleteChangeSet"))
        #expect(!aws.actions.contains("ExecuteChangeSet"))
    }

    /// What an interrupt does: the cleanup registered for the unexecuted change set runs.
    @Test func anInterruptDeletesTheUnexecutedChangeSet() async throws {
        let inFlight = InFlight()
        let aws = RecordedAWS(["DeleteChangeSet": [""], "DescribeStacks": [""]])
        let id = inFlight.add("the unexecuted change set of S") {
            try? await aws.cloudFormation.deleteChangeSet(Recorded.changeSetId)
        }
        _ = id
        #expect(await inFlight.runCleanups(timeout: 5) == ["the unexecuted change set of S"])
        #expect(aws.actions == ["DeleteChangeSet"])
        #expect(await inFlight.runCleanups(timeout: 5).isEmpty)
    }
}

@Suite struct TerminalFitTests {
    @Test func statusLinesAreCutToTheWidth() {
        let line = LiveReporter.fit("pipeline-template-main-CodePipelineStack", "\u{1B}[32mUPDATE_IN_PROGRESS [3/15] 0m05s – BuildProject, Pipeline", width: 39)
        let visible = line.replacingOccurrences(of: "\u{1B}\\[[0-9;]*m", with: "", options: .regularExpression)
        #expect(visible.count == 39)
        #expect(visible.hasSuffix("…") || visible.count <= 39)
    }

    @Test func theRedrawStopsWhileAQuestionWaits() {
        final class Sink: @unchecked Sendable {
            let lock = NSLock()
            var writes: [String] = []
            func add(_ s: String) { lock.withLock { writes.append(s) } }
            var count: Int { lock.withLock { writes.count } }
        }
        let sink = Sink()
        let live = LiveReporter(columns: { 60 }, write: { sink.add($0) })
        live.info("Stack", "creating change set")
        live.suspend {
            let before = sink.count
            live.tick()
            live.tick()
            #expect(sink.count == before, "the ticker redrew during the question")
        }
        #expect(sink.writes.last?.contains("creating change set") == true)
    }

    @Test func tablesFitTheTerminalOrBecomeLists() throws {
        let old = try JSONValue.parse(#"{"Resources":{}}"#)
        let new = try JSONValue.parse(#"""
            {"Resources":{"P":{"Type":"AWS::IAM::Policy","Properties":{"PolicyDocument":{"Statement":[{"Effect":"Allow",
            "Action":["ecr:BatchGetImage","ecr:GetDownloadUrlForLayer"],"Resource":{"Fn::GetAtt":["Repository22E53BBD","Arn"]},
            "Condition":{"StringLike":{"aws:sourceArn":"arn:aws:lambda:us-west-2:123456789012:function:*"}}}]}}}}}
            """#)
        let diff = TemplateDiff(old: old, new: new)
        for width in [120, 60, 40] {
            let text = DiffRenderer(color: false, width: width).render(stack: "S", diff, deployed: true)
            for line in text.split(separator: "\n") where line.contains("│") || line.contains("─") || line.hasPrefix("  ") {
                #expect(line.count <= width, "\(width): \(line)")
            }
            #expect(text.contains(width >= 100 ? "${Repository22E53BBD.Arn}" : "${Repos"))
            #expect(!text.contains("Fn::GetAtt"))
        }
    }
}
