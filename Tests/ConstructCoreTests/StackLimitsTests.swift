import CloudFormation
import ConstructCore
import Testing

@Suite struct StackLimitsTests {
    @Test func aStackOverAnyQuotaIsAnErrorNamingWhatAddsMost() throws {
        let app = App()
        let stack = Stack(app, "Big", stackName: "big", env: Environment(account: "123456789012", region: "us-west-2"))
        let heavy = Construct(stack, "Heavy"), light = Construct(stack, "Light")
        for i in 0..<495 { _ = CfnResource(heavy, "Topic\(i)", type: "AWS::SNS::Topic") }
        for i in 0..<6 { _ = CfnResource(light, "Queue\(i)", type: "AWS::SQS::Queue") }
        let error = try #require(throws: SynthesisError.self) { try app.synthesize() }
        #expect(error.description.contains("stack big has 501 resources; CloudFormation allows 500"))
        #expect(error.description.contains("Most come from: Big/Heavy (495), Big/Light (6)"))
    }

    @Test func aStackAtTheQuotaSynthesizes() throws {
        let app = App()
        let stack = Stack(app, "Full", stackName: "full", env: Environment(account: "123456789012", region: "us-west-2"))
        for i in 0..<500 { _ = CfnResource(stack, "Topic\(i)", type: "AWS::SNS::Topic") }
        let artifacts = try app.synthesize()
        #expect(artifacts.first?.template.resources.count == 500)
    }
}
