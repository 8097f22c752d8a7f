import AWSClient
@testable import DeployEngine
import CloudFormation
import ConstructCore
import Foundation
import Testing

/// The engine against moto_server (started by bin/test): templates over CloudFormation's
/// 51,200-byte inline limit go through the staging bucket as a TemplateURL.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["TSDEPLOY_MOTO_ENDPOINT"] != nil, "needs moto (bin/test)"))
struct MotoDeployTests {
    @Test func largeTemplateGoesThroughTheStagingBucket() async throws {
        let endpoint = try #require(ProcessInfo.processInfo.environment["TSDEPLOY_MOTO_ENDPOINT"])
        let session = try AWSSession(.init(region: "us-west-2", endpointURL: endpoint, environment: AWSEnvironment(
            variables: ["AWS_ACCESS_KEY_ID": "AKIAMOTOTESTKEY00002", "AWS_SECRET_ACCESS_KEY": "s", "AWS_EC2_METADATA_DISABLED": "true"],
            homeDirectory: NSTemporaryDirectory())))
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let app = App()
        let stack = Stack(app, "Big", stackName: "Big-\(suffix)")
        for i in 0..<220 {
            _ = CfnResource(stack, "Setting\(i)", type: "AWS::SSM::Parameter", properties: [
                "Name": .string("/big-\(suffix)/setting-\(i)"), "Type": "String",
                "Value": .string(String(repeating: "v", count: 120)), "Description": "padding so the template exceeds the inline limit",
            ])
        }
        let deployable = try DeployableStack(try app.synthesize()[0])
        #expect(deployable.templateBody.utf8.count > StackDeployer.templateBodyLimit)

        let s3 = try session.s3()
        let bucket = "staging-\(suffix)"
        try await s3.createBucket(bucket)
        var options = DeployOptions()
        options.requireApproval = .never
        options.pollInterval = 0
        options.stagingBucket = bucket
        let reporter = RecordingReporter()
        let deployer = StackDeployer(cloudFormation: try session.cloudFormation(), s3: s3, reporter: reporter, options: options)
        #expect(try await deployer.deploy(deployable, parameters: []) == .deployed(outputs: []))
        #expect(reporter.lines.contains { $0.contains("uploaded to s3://\(bucket)/templates/Big-\(suffix)-") })
        #expect(try await session.ssm().getParameter("/big-\(suffix)/setting-219").value.count == 120)
        // Deployed as sent, and a second deploy is a fast no-op.
        #expect(try JSONValue.parse(try await session.cloudFormation().getTemplate(deployable.name)) == deployable.template)
        #expect(try await deployer.deploy(deployable, parameters: []) == .noChanges)

        // Without a staging bucket the size is an error naming bootstrap.
        var noBucket = options
        noBucket.stagingBucket = nil
        var bigger = deployable
        bigger.name = "Big2-\(suffix)"
        do {
            _ = try await StackDeployer(cloudFormation: try session.cloudFormation(), s3: s3, reporter: reporter, options: noBucket)
                .deploy(bigger, parameters: [])
            Issue.record("expected a size error")
        } catch let error as DeployError {
            #expect(error.hint?.contains("tsdeploy bootstrap") == true)
        }
        try await session.cloudFormation().deleteStack(deployable.name)
    }
}
