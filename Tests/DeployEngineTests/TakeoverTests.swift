@testable import AWSClient
import AWSSigner
@testable import DeployEngine
import Foundation
import Testing

/// The pure parts of `migrate` and of the two-branch checks, and the IMPORT request as
/// botocore would send it.
@Suite struct TakeoverTests {
    static let cdkTemplate = """
        {"Parameters": {"BootstrapVersion": {"Type": "AWS::SSM::Parameter::Value<String>", "Default": "/cdk-bootstrap/hnb659fds/version"}},
         "Resources": {
          "In": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Delete", "UpdateReplacePolicy": "Delete",
                 "Properties": {"BucketName": "in", "Tags": [{"Key": "aws-cdk:auto-delete-objects", "Value": "true"}, {"Key": "team", "Value": "data"}]}},
          "Repo": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "r", "Tags": [{"Key": "aws-cdk:auto-delete-images", "Value": "true"}]}},
          "Kept": {"Type": "AWS::S3::Bucket", "DeletionPolicy": "Retain", "UpdateReplacePolicy": "Retain", "Properties": {}},
          "InAutoDelete": {"Type": "Custom::S3AutoDeleteObjects", "Properties": {"ServiceToken": {"Fn::GetAtt": ["Provider", "Arn"]}, "BucketName": {"Ref": "In"}}},
          "Role": {"Type": "AWS::IAM::Role", "Properties": {"AssumeRolePolicyDocument": {}}}
         }}
        """

    @Test func retentionRetainsDataAndDropsOnlyTheAutoDeleteTags() throws {
        let (template, changes) = CDKDataRetention.retainingData(try JSONValue.parse(Self.cdkTemplate))
        #expect(changes.map(\.logicalId) == ["In", "Repo"])
        #expect(template["Resources"]?["In"]?["DeletionPolicy"]?.stringValue == "Retain")
        #expect(template["Resources"]?["In"]?["UpdateReplacePolicy"]?.stringValue == "Retain")
        #expect(template["Resources"]?["In"]?["Properties"]?["Tags"] == .array([.object(["Key": .string("team"), "Value": .string("data")])]))
        #expect(template["Resources"]?["Repo"]?["Properties"]?["Tags"] == nil)
        // Nothing else moves: the custom resource, its BucketName, the role, the parameters.
        let before = try JSONValue.parse(Self.cdkTemplate)
        for id in ["InAutoDelete", "Role", "Kept"] { #expect(template["Resources"]?[id] == before["Resources"]?[id]) }
        #expect(template["Parameters"] == before["Parameters"])
        // Applied twice: nothing more to do (the rerun after an interrupt).
        #expect(CDKDataRetention.retainingData(template).changes.isEmpty)
        // What is sent is valid JSON that parses back to the same template.
        #expect(try JSONValue.parse(try template.jsonText()) == template)
    }

    @Test func referencesFindLogicalIdsButNotPseudoParametersOrSubLocals() {
        let v = try! JSONValue.parse("""
            {"A": {"Ref": "Bucket"}, "B": {"Fn::GetAtt": ["Role", "Arn"]}, "C": {"Fn::Sub": "arn:${AWS::Partition}:s3:::${Other}/${Queue.Arn}"},
             "D": {"Fn::Sub": ["${Local}-${Param}", {"Local": {"Ref": "AWS::Region"}}]}, "E": {"Ref": "AWS::AccountId"}, "F": "${NotIntrinsic}"}
            """)
        #expect(Takeover.references(v) == ["Bucket", "Role", "Other", "Queue", "Param"])
    }

    @Test func onlyTheOldBuildsNotificationsAreRemoved() throws {
        let xml = try XMLNode.parse(Data("""
            <NotificationConfiguration>
              <CloudFunctionConfiguration><Id>repo-main-lambda-a-s-s3-notification</Id><CloudFunction>arn:aws:lambda:us-west-2:1:function:repo-main-lambda-a-s</CloudFunction><Event>s3:ObjectCreated:*</Event></CloudFunctionConfiguration>
              <CloudFunctionConfiguration><Id>audit-s3-notification</Id><CloudFunction>arn:aws:lambda:us-west-2:1:function:audit</CloudFunction></CloudFunctionConfiguration>
              <CloudFunctionConfiguration><Id>mine</Id><CloudFunction>arn:aws:lambda:us-west-2:1:function:repo-main-lambda-b-s</CloudFunction></CloudFunctionConfiguration>
              <QueueConfiguration><Id>repo-main-lambda-q-s3-notification</Id><Queue>arn:aws:sqs:us-west-2:1:q</Queue></QueueConfiguration>
            </NotificationConfiguration>
            """.utf8))
        #expect(Takeover.legacyNotifications(xml, prefix: "repo-main-lambda-", suffix: "-s3-notification") == ["repo-main-lambda-a-s-s3-notification"])
    }

    @Test func overlappingTriggersAreSameBucketAndNestedPrefixes() throws {
        let template = try JSONValue.parse("""
            {"Resources": {
              "R1": {"Type": "AWS::Events::Rule", "Properties": {"EventPattern": {"source": ["aws.s3"], "detail": {"bucket": {"name": ["in"]}, "object": {"key": [{"prefix": "lidar/hum/"}]}}}}},
              "R2": {"Type": "AWS::Events::Rule", "Properties": {"ScheduleExpression": "cron(0 2 * * ? *)"}}}}
            """)
        let ours = SharedTriggers.triggers(in: template)
        #expect(ours == [SharedTriggers.Trigger(bucket: "in", prefix: "lidar/hum/")])
        #expect(SharedTriggers.overlap(.init(bucket: "in", prefix: "lidar/"), .init(bucket: "in", prefix: "lidar/hum/")))
        #expect(!SharedTriggers.overlap(.init(bucket: "in", prefix: "lidar/a/"), .init(bucket: "in", prefix: "lidar/b/")))
        #expect(!SharedTriggers.overlap(.init(bucket: "other", prefix: ""), .init(bucket: "in", prefix: "")))
    }

    @Test func onlyLiterallyNamedBucketsAndRepositoriesAreCheckedForConflicts() throws {
        let stack = try DeployableStack(name: "s", account: "1", region: "us-west-2", templateBody: """
            {"Resources": {"A": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": "named"}},
                           "B": {"Type": "AWS::S3::Bucket", "Properties": {}},
                           "C": {"Type": "AWS::S3::Bucket", "Properties": {"BucketName": {"Fn::Sub": "x-${AWS::AccountId}"}}},
                           "D": {"Type": "AWS::ECR::Repository", "Properties": {"RepositoryName": "repo"}}}}
            """)
        #expect(NameConflicts.named(stack, deployed: []).map(\.name) == ["named", "repo"])
        #expect(NameConflicts.named(stack, deployed: ["named"]).map(\.name) == ["repo"])
    }

    /// The IMPORT change set's form body, by us and by botocore's own query serializer.
    @Test func importChangeSetsAreEncodedAsBotocoreEncodesThem() async throws {
        let capture = Capture()
        let client = CloudFormationClient(AWSClient(service: .cloudFormation, region: "us-west-2",
            endpoint: ResolvedEndpoint(url: "https://cloudformation.us-west-2.amazonaws.com", source: "AWS", isCustom: false),
            credentials: CredentialResolver(static: AWSCredentials(accessKeyId: "AK", secretAccessKey: "s")), transport: capture,
            retry: RetryStrategy(maxAttempts: 1)))
        var input = CloudFormation.CreateChangeSetInput(stackName: "s", changeSetName: "c", kind: .import, templateBody: "{}",
                                                        tags: [.init(key: "tsdeploy:branch", value: "main")])
        input.resourcesToImport = [.init(type: "AWS::S3::Bucket", logicalId: "In", identifier: ["BucketName": "in bucket+1"]),
                                   .init(type: "AWS::Logs::LogGroup", logicalId: "Log", identifier: ["LogGroupName": "/aws/lambda/f"])]
        _ = try await client.createChangeSet(input)
        let ours = try #require(capture.body)
        let script = """
            import botocore.session, sys
            from botocore.serialize import create_serializer
            from botocore.awsrequest import AWSRequest
            model = botocore.session.get_session().get_service_model("cloudformation")
            params = {"StackName": "s", "ChangeSetName": "c", "ChangeSetType": "IMPORT", "TemplateBody": "{}",
                      "Tags": [{"Key": "tsdeploy:branch", "Value": "main"}],
                      "ResourcesToImport": [{"ResourceType": "AWS::S3::Bucket", "LogicalResourceId": "In", "ResourceIdentifier": {"BucketName": "in bucket+1"}},
                                            {"ResourceType": "AWS::Logs::LogGroup", "LogicalResourceId": "Log", "ResourceIdentifier": {"LogGroupName": "/aws/lambda/f"}}]}
            req = create_serializer("query").serialize_to_request(params, model.operation_model("CreateChangeSet"))
            body = AWSRequest(method="POST", url="https://x/", data=req["body"]).prepare().body
            sys.stdout.write(body if isinstance(body, str) else body.decode())
            """
        // Off the cooperative pool: a blocked pool thread (two cores here) stalls every other
        // test's continuations, the transport timeouts among them.
        let theirs: String = try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
                process.arguments = ["python3", "-c", script]
                let out = Pipe()
                process.standardOutput = out
                do {
                    try process.run()
                    let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
                    process.waitUntilExit()
                    continuation.resume(returning: text)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
        // Parameter order may differ (our ClientToken/Description aside): compare as sets of pairs.
        let mine = Set(ours.split(separator: "&").map(String.init).filter { !$0.hasPrefix("ClientToken=") && !$0.hasPrefix("Description=") })
        #expect(mine == Set(theirs.split(separator: "&").map(String.init)))
    }
}

final class Capture: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var captured: String?
    var body: String? { lock.withLock { captured } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        lock.withLock { captured = String(decoding: request.body, as: UTF8.self) }
        return HTTPResponse(status: 200, body: Data("<CreateChangeSetResponse><CreateChangeSetResult><Id>arn:cs</Id><StackId>arn:s</StackId></CreateChangeSetResult></CreateChangeSetResponse>".utf8))
    }
}
