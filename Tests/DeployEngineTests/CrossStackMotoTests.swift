import AWSClient
@testable import DeployEngine
import CloudFormation
import ConstructCore
import Foundation
import Testing

/// Values between stacks against moto with its change-set gaps filled
/// (Tests/migrate/moto_with_import.py: outputs and parameters refreshed after ExecuteChangeSet,
/// as AWS does; plain moto keeps the old ones).
@Suite(.enabled(if: ProcessInfo.processInfo.environment["TSDEPLOY_MOTO_CFN_ENDPOINT"] != nil, "needs moto_with_import.py (bin/test)"))
struct CrossStackMotoTests {
    /// aws/aws-cdk#7602: a consumer stops using a producer's value. Over two deploys the
    /// value is kept while the deployed consumer reads it: deploying the producer alone stops
    /// before any change; deploying both updates the consumer first, then drops the value.
    @Test func aValueIsKeptUntilNoDeployedConsumerReadsIt() async throws {
        let endpoint = try #require(ProcessInfo.processInfo.environment["TSDEPLOY_MOTO_CFN_ENDPOINT"])
        let session = try AWSSession(.init(region: "us-west-2", endpointURL: endpoint, environment: AWSEnvironment(
            variables: ["AWS_ACCESS_KEY_ID": "AKIAMOTOTESTKEY00003", "AWS_SECRET_ACCESS_KEY": "s", "AWS_EC2_METADATA_DISABLED": "true"],
            homeDirectory: NSTemporaryDirectory())))
        let suffix = UUID().uuidString.prefix(8).lowercased()
        let account = try await session.sts().getCallerIdentity().account
        var options = DeployOptions()
        options.requireApproval = .never
        options.pollInterval = 0
        let reporter = RecordingReporter()
        // A toolkit under its own qualifier, so the deployment's bootstrap check passes.
        let qualifier = "x" + String(suffix.prefix(8))
        let names = ToolkitNames(qualifier: qualifier, account: account, region: "us-west-2", stackName: "TSDeployToolkit-\(suffix)")
        let toolkitApp = App()
        _ = ToolkitStack(toolkitApp, names: names, options: .init())
        _ = try await StackDeployer(cloudFormation: try session.cloudFormation(), s3: try session.s3(), reporter: reporter, options: options)
            .deploy(try DeployableStack(try toolkitApp.synthesize()[0]), parameters: [])

        func synthesize(consumerReadsTopic: Bool) throws -> [DeployableStack] {
            let app = App()
            let env = Environment(account: account, region: "us-west-2")
            let producer = Stack(app, "Producer", stackName: "Producer-\(suffix)", env: env)
            let consumer = Stack(app, "Consumer", stackName: "Consumer-\(suffix)", env: env)
            let value: TemplateValue
            if consumerReadsTopic {
                let topic = CfnResource(producer, "Topic", type: "AWS::SNS::Topic", properties: [:])
                value = topic.ref
            } else {
                _ = CfnResource(producer, "Other", type: "AWS::SSM::Parameter", properties: [
                    "Name": .string("/producer-\(suffix)/other"), "Type": "String", "Value": "kept",
                ])
                value = "no topic any more"
            }
            _ = CfnResource(consumer, "Setting", type: "AWS::SSM::Parameter", properties: [
                "Name": .string("/consumer-\(suffix)/topic"), "Type": "String", "Value": value,
            ])
            return try app.synthesize().map(DeployableStack.init)
        }
        func deployment() -> Deployment {
            var d = Deployment(session: session, reporter: reporter, options: options)
            d.qualifier = qualifier
            return d
        }
        let cloudFormation = try session.cloudFormation()
        let first = try synthesize(consumerReadsTopic: true)
        #expect(first.first { $0.name == "Consumer-\(suffix)" }?.parameterSources.count == 1)
        _ = try await deployment().run(first)
        let topicArn = try #require(try await cloudFormation.describeStack("Producer-\(suffix)")?.outputs.first?.value)
        #expect(try await session.ssm().getParameter("/consumer-\(suffix)/topic").value == topicArn)

        // The consumer no longer reads the topic; only the producer is deployed: refused.
        let second = try synthesize(consumerReadsTopic: false)
        var producerOnly = deployment()
        producerOnly.appStacks = second
        do {
            _ = try await producerOnly.run(second.filter { $0.name.hasPrefix("Producer") })
            Issue.record("expected the deploy to stop")
        } catch let error as DeployError {
            #expect(error.message.contains("Consumer-\(suffix) (deployed) still reads"))
            #expect(error.hint?.contains("--stack Consumer-\(suffix)") == true)
        }
        #expect(try await cloudFormation.listStackResources("Producer-\(suffix)").contains { $0.logicalId == "Topic" })

        // Both: the consumer first, then the producer drops the topic.
        let lineCount = reporter.lines.count
        var both = deployment()
        both.appStacks = second
        let results = try await both.run(second)
        #expect(results.allSatisfy { if case .deployed = $0.result { true } else { false } })
        let lines = Array(reporter.lines.dropFirst(lineCount))
        let consumerDone = try #require(lines.firstIndex { $0.hasPrefix("Consumer-\(suffix) | ✔") })
        let producerStarted = try #require(lines.firstIndex { $0.hasPrefix("Producer-\(suffix)") && $0.contains("UPDATE_IN_PROGRESS") })
        #expect(consumerDone < producerStarted, "\(lines)")
        #expect(try await session.ssm().getParameter("/consumer-\(suffix)/topic").value == "no topic any more")
        #expect(try await !cloudFormation.listStackResources("Producer-\(suffix)").contains { $0.logicalId == "Topic" })
        #expect(try await cloudFormation.describeStack("Consumer-\(suffix)")?.parameters.isEmpty == true)
        for name in ["Consumer-\(suffix)", "Producer-\(suffix)", names.stackName] { try await cloudFormation.deleteStack(name) }
    }
}
