@testable import AWSClient
@testable import DeployEngine
import CloudFormation
import ConstructCore
import Foundation
import Testing

/// The deploy flow against recorded real-AWS-shaped answers (see RecordedAWS): moto
/// cannot fail, roll back or report progress over time.
@Suite struct DeployFlowTests {
    static func stack(memory: Int = 256) throws -> DeployableStack {
        let app = App()
        let stack = Stack(app, "Stack", stackName: "app-main-Stack", env: Environment(account: "123456789012", region: "us-west-2"))
        _ = CfnResource(stack, "Fn", type: "AWS::Lambda::Function", properties: ["FunctionName": "app-main-fn", "MemorySize": .int(memory)])
        _ = CfnResource(stack, "Data", type: "AWS::S3::Bucket", properties: ["BucketName": "app-main-data"])
        return try DeployableStack(try app.synthesize()[0])
    }

    static let deployedTemplate = #"{"Resources":{"Fn":{"Type":"AWS::Lambda::Function","Properties":{"FunctionName":"app-main-fn","MemorySize":128}},"Data":{"Type":"AWS::S3::Bucket","Properties":{"BucketName":"app-main-data"}}}}"#

    func deployer(_ aws: RecordedAWS, _ reporter: RecordingReporter) -> StackDeployer {
        var options = DeployOptions()
        options.requireApproval = .never
        options.pollInterval = 0
        return StackDeployer(cloudFormation: aws.cloudFormation, s3: nil, reporter: reporter, options: options)
    }

    @Test func failedUpdateRecapsTheRootCauseNotTheCascade() async throws {
        let aws = RecordedAWS([
            "DescribeStacks": [Recorded.stack("UPDATE_COMPLETE"), Recorded.stack("UPDATE_ROLLBACK_IN_PROGRESS"), Recorded.stack("UPDATE_ROLLBACK_COMPLETE")],
            "GetTemplate": ["<TemplateBody>\(Self.deployedTemplate)</TemplateBody>"],
            "CreateChangeSet": ["<Id>\(Recorded.changeSetId)</Id><StackId>\(Recorded.stackId)</StackId>"],
            "DescribeChangeSet": [Recorded.changeSet],
            "ExecuteChangeSet": [""],
            "DescribeStackEvents": [
                Recorded.events([Recorded.event("e0", "app-main-Stack", "AWS::CloudFormation::Stack", "UPDATE_COMPLETE", "00:00")]),
                Recorded.events([
                    Recorded.event("e4", "Data", "AWS::S3::Bucket", "UPDATE_FAILED", "01:05", "Resource update cancelled"),
                    Recorded.event("e3", "Fn", "AWS::Lambda::Function", "UPDATE_FAILED", "01:04",
                                   "Resource handler returned message: \"MemorySize value failed to satisfy constraint\" (HandlerErrorCode: InvalidRequest)"),
                    Recorded.event("e2", "Fn", "AWS::Lambda::Function", "UPDATE_IN_PROGRESS", "01:02"),
                    Recorded.event("e1", "app-main-Stack", "AWS::CloudFormation::Stack", "UPDATE_IN_PROGRESS", "01:00", "User Initiated"),
                    Recorded.event("e0", "app-main-Stack", "AWS::CloudFormation::Stack", "UPDATE_COMPLETE", "00:00"),
                ]),
                Recorded.events([
                    Recorded.event("e5", "app-main-Stack", "AWS::CloudFormation::Stack", "UPDATE_ROLLBACK_COMPLETE", "02:00"),
                    Recorded.event("e4", "Data", "AWS::S3::Bucket", "UPDATE_FAILED", "01:05", "Resource update cancelled"),
                ]),
            ],
        ])
        let reporter = RecordingReporter()
        do {
            _ = try await deployer(aws, reporter).deploy(try Self.stack(), parameters: [])
            Issue.record("expected the deploy to fail")
        } catch let error as DeployError {
            #expect(error.message == """
                app-main-Stack failed: UPDATE_ROLLBACK_COMPLETE
                  Fn (AWS::Lambda::Function, /Stack/Fn) UPDATE_FAILED
                    Resource handler returned message: "MemorySize value failed to satisfy constraint" (HandlerErrorCode: InvalidRequest)
                  The stack was rolled back to its previous state and can be deployed again once the cause is fixed.
                """)
        }
        #expect(reporter.lines == [
            "app-main-Stack | creating change set",
            "app-main-Stack | change set: 2 changes",
            "app-main-Stack |   [~] AWS::Lambda::Function Fn",
            "app-main-Stack |   [~] AWS::S3::Bucket Data",
            "app-main-Stack | 10:01:00 | 0/2 | UPDATE_IN_PROGRESS | AWS::CloudFormation::Stack | app-main-Stack",
            "app-main-Stack | 10:01:02 | 0/2 | UPDATE_IN_PROGRESS | AWS::Lambda::Function | Fn",
            "app-main-Stack | 10:01:04 | 0/2 | UPDATE_FAILED | AWS::Lambda::Function | Fn | Resource handler returned message: \"MemorySize value failed to satisfy constraint\" (HandlerErrorCode: InvalidRequest)",
            "app-main-Stack | 10:01:05 | 0/2 | UPDATE_FAILED | AWS::S3::Bucket | Data | Resource update cancelled",
            "app-main-Stack | 10:02:00 | 0/2 | UPDATE_ROLLBACK_COMPLETE | AWS::CloudFormation::Stack | app-main-Stack",
            "app-main-Stack | ✘ UPDATE_ROLLBACK_COMPLETE",
        ])
        // Each event exactly once, although the pages overlapped.
        #expect(aws.actions.filter { $0 == "DescribeStackEvents" }.count == 3)
    }

    @Test func rollbackCompleteIsDeletedThenCreatedAnew() async throws {
        let aws = RecordedAWS([
            "DescribeStacks": [Recorded.stack("ROLLBACK_COMPLETE"), Recorded.stack("DELETE_COMPLETE"), Recorded.stack("CREATE_COMPLETE")],
            "DeleteStack": [""],
            "CreateChangeSet": ["<Id>\(Recorded.changeSetId)</Id><StackId>\(Recorded.stackId)</StackId>"],
            "DescribeChangeSet": [Recorded.changeSet],
            "ExecuteChangeSet": [""],
            "DescribeStackEvents": [Recorded.events([Recorded.event("r1", "app-main-Stack", "AWS::CloudFormation::Stack", "ROLLBACK_COMPLETE", "00:00")])],
        ])
        let reporter = RecordingReporter()
        let result = try await deployer(aws, reporter).deploy(try Self.stack(), parameters: [])
        #expect(result == .deployed(outputs: []))
        #expect(reporter.lines.first == "app-main-Stack | warning: is in ROLLBACK_COMPLETE (a failed first create, nothing to keep); deleting it so it can be created again")
        #expect(aws.actions.prefix(3) == ["DescribeStacks", "DescribeStackEvents", "DeleteStack"])
        #expect(aws.actions.contains("CreateChangeSet"))
        #expect(!aws.actions.contains("GetTemplate"))
    }

    @Test func rollbackFailedExplainsHowToContinue() async throws {
        let aws = RecordedAWS(["DescribeStacks": [Recorded.stack("UPDATE_ROLLBACK_FAILED")]])
        do {
            _ = try await deployer(aws, RecordingReporter()).deploy(try Self.stack(), parameters: [])
            Issue.record("expected an error")
        } catch let error as DeployError {
            #expect(error.hint?.contains("aws cloudformation continue-update-rollback --stack-name app-main-Stack") == true)
        }
    }

    @Test func emptyChangeSetIsDeletedAndReportedAsNoChanges() async throws {
        let aws = RecordedAWS([
            "DescribeStacks": [Recorded.stack("UPDATE_COMPLETE")],
            "GetTemplate": ["<TemplateBody>{&quot;Resources&quot;:{}}</TemplateBody>"],
            "CreateChangeSet": ["<Id>\(Recorded.changeSetId)</Id><StackId>\(Recorded.stackId)</StackId>"],
            "DescribeChangeSet": ["<ChangeSetId>\(Recorded.changeSetId)</ChangeSetId><Status>FAILED</Status><StatusReason>The submitted information didn't contain changes. Submit different information to create a change set.</StatusReason><ExecutionStatus>UNAVAILABLE</ExecutionStatus><Changes/>"],
            "DeleteChangeSet": [""],
        ])
        #expect(try await deployer(aws, RecordingReporter()).deploy(try Self.stack(), parameters: []) == .noChanges)
        #expect(aws.actions.contains("DeleteChangeSet"))
        #expect(!aws.actions.contains("ExecuteChangeSet"))
    }

    @Test func waitsWhileInProgress() async throws {
        let aws = RecordedAWS([
            "DescribeStacks": [Recorded.stack("UPDATE_COMPLETE"), Recorded.stack("UPDATE_IN_PROGRESS"), Recorded.stack("UPDATE_IN_PROGRESS"), Recorded.stack("UPDATE_COMPLETE")],
            "GetTemplate": ["<TemplateBody>\(Self.deployedTemplate)</TemplateBody>"],
            "CreateChangeSet": ["<Id>\(Recorded.changeSetId)</Id><StackId>\(Recorded.stackId)</StackId>"],
            "DescribeChangeSet": ["<ChangeSetId>\(Recorded.changeSetId)</ChangeSetId><Status>CREATE_PENDING</Status>", Recorded.changeSet],
            "ExecuteChangeSet": [""],
            "DescribeStackEvents": [
                Recorded.events([Recorded.event("e0", "app-main-Stack", "AWS::CloudFormation::Stack", "UPDATE_COMPLETE", "00:00")]),
                Recorded.events([Recorded.event("e1", "Fn", "AWS::Lambda::Function", "UPDATE_IN_PROGRESS", "01:00"),
                                 Recorded.event("e0", "app-main-Stack", "AWS::CloudFormation::Stack", "UPDATE_COMPLETE", "00:00")]),
                Recorded.events([Recorded.event("e2", "Fn", "AWS::Lambda::Function", "UPDATE_COMPLETE", "01:30"),
                                 Recorded.event("e1", "Fn", "AWS::Lambda::Function", "UPDATE_IN_PROGRESS", "01:00")]),
                Recorded.events([Recorded.event("e3", "app-main-Stack", "AWS::CloudFormation::Stack", "UPDATE_COMPLETE", "01:40"),
                                 Recorded.event("e2", "Fn", "AWS::Lambda::Function", "UPDATE_COMPLETE", "01:30")]),
            ],
        ])
        let reporter = RecordingReporter()
        #expect(try await deployer(aws, reporter).deploy(try Self.stack(), parameters: []) == .deployed(outputs: []))
        #expect(reporter.lines.contains("app-main-Stack | 10:01:30 | 1/2 | UPDATE_COMPLETE | AWS::Lambda::Function | Fn"))
        #expect(reporter.lines.last == "app-main-Stack | ✔ UPDATE_COMPLETE")
        #expect(aws.actions.filter { $0 == "DescribeChangeSet" }.count == 2)
    }

    @Test func broadeningNeedsApprovalAndCleansUpWithoutATerminal() async throws {
        let app = App()
        let stack = Stack(app, "Stack", stackName: "app-main-Stack")
        _ = CfnResource(stack, "Policy", type: "AWS::IAM::Policy", properties: [
            "PolicyName": "p", "Roles": ["r"],
            "PolicyDocument": ["Version": "2012-10-17", "Statement": [["Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"]]],
        ])
        let aws = RecordedAWS([
            "DescribeStacks": [""],
            "CreateChangeSet": ["<Id>\(Recorded.changeSetId)</Id><StackId>\(Recorded.stackId)</StackId>"],
            "DescribeChangeSet": [Recorded.changeSet],
            "DeleteChangeSet": [""],
            "ListStackResources": ["<StackResourceSummaries/>"],
        ])
        var options = DeployOptions()
        options.pollInterval = 0
        let deployer = StackDeployer(cloudFormation: aws.cloudFormation, s3: nil, reporter: RecordingReporter(), options: options)
        do {
            _ = try await deployer.deploy(try DeployableStack(try app.synthesize()[0]), parameters: [])
            Issue.record("expected an approval error")
        } catch let error as DeployError {
            #expect(error.message.contains("broaden IAM permissions"))
            #expect(error.hint?.contains("--require-approval never") == true)
        }
        #expect(!aws.actions.contains("ExecuteChangeSet"))
    }

    @Test func recapFallsBackToTheStackReason() {
        let outcome = StackWatcher.Outcome(status: "ROLLBACK_COMPLETE", statusReason: "The following resource(s) failed to create: [Fn].", events: [])
        #expect(FailureRecap.render(outcome, stackName: "S").contains("reason: The following resource(s) failed to create: [Fn]."))
    }
}
