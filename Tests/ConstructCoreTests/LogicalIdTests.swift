import CloudFormation
import ConstructCore
import ConstructLibrary
import Testing

/// Logical IDs decide whether CloudFormation updates or replaces a resource: these pin
/// the algorithm to aws-cdk-lib's makeUniqueId (hashes computed with Node's md5 rules).
@Suite struct LogicalIdTests {
    @Test func singleComponentIsUsedAsIs() {
        #expect(LogicalId.make(["My-Bucket"]) == "MyBucket")
    }

    @Test func resourceIsHiddenFromHumansButHashed() {
        #expect(LogicalId.make(["MyBucket", "Resource"]) == "MyBucketF68F3FF0")
        #expect(LogicalId.make(["Lambda", "Role", "Resource"]) == "LambdaRole00CCBAA4")
    }

    @Test func defaultIsRemovedEntirely() {
        #expect(LogicalId.make(["MyBucket", "Default", "Resource"]) == LogicalId.make(["MyBucket", "Resource"]))
    }

    @Test func componentsTheirPredecessorEndsWithAreDropped() {
        // "BucketPolicy" ends with "Policy": the readable part is not "BucketPolicyPolicy".
        #expect(LogicalId.make(["BucketPolicy", "Policy"]).hasPrefix("BucketPolicy"))
        #expect(!LogicalId.make(["BucketPolicy", "Policy"]).hasPrefix("BucketPolicyPolicy"))
    }

    @Test func longPathsAreCappedAt255() {
        let id = LogicalId.make([String(repeating: "a", count: 200), String(repeating: "b", count: 200)])
        #expect(id.count == 248)
        #expect(LogicalId.isValid(id))
    }

    @Test func collisionsAreReported() throws {
        let app = App()
        let stack = Stack(app, "S")
        _ = CfnResource(stack, "AB", type: "AWS::SNS::Topic")
        _ = CfnResource(stack, "A-B", type: "AWS::SNS::Topic")
        #expect(throws: SynthesisError.self) { try app.synthesize() }
    }
}

@Suite struct CrossStackTests {
    @Test func deterministicValuesAreCopiedAndStacksDepend() throws {
        let app = App()
        let producer = Stack(app, "Producer")
        let consumer = Stack(app, "Consumer")
        let bucket = Bucket(producer, "Data", BucketProps(bucketName: "my-data"))
        _ = CfnResource(consumer, "Topic", type: "AWS::SNS::Topic", properties: ["TopicName": bucket.bucketName])
        let artifacts = try app.synthesize()
        let c = try #require(artifacts.first { $0.stackName == "Consumer" })
        #expect(c.dependencies == ["Producer"])
        #expect(c.template.resources[0].properties["TopicName"] == "my-data")
        #expect(c.template.parameterOrder.isEmpty)
    }

    /// No Export/ImportValue: outputs feed parameters, so dropping a use never deadlocks.
    @Test func otherValuesBecomeOutputsAndParameters() throws {
        let app = App()
        let producer = Stack(app, "Producer")
        let consumer = Stack(app, "Consumer")
        let bucket = Bucket(producer, "Data")
        _ = CfnResource(consumer, "Topic", type: "AWS::SNS::Topic", properties: ["TopicName": bucket.bucketArn])
        let artifacts = try app.synthesize()
        let p = try #require(artifacts.first { $0.stackName == "Producer" })
        let c = try #require(artifacts.first { $0.stackName == "Consumer" })
        let output = try #require(p.template.outputs.first)
        #expect(output.exportName == nil)
        #expect(output.value == Fn.getAtt("DataEC2E9C9F", "Arn") || output.value["Fn::GetAtt"] != nil)
        let parameter = try #require(c.template.parameterOrder.first)
        #expect(c.template.resources[0].properties["TopicName"] == Fn.ref(parameter))
        #expect(c.parameterSources == [.init(parameter: parameter, stack: "Producer", output: output.logicalId)])
        let rendered = JSONWriter.compact(c.template.render())
        #expect(!rendered.contains("ImportValue"))
    }

    @Test func cyclesAreReported() throws {
        let app = App()
        let a = Stack(app, "A")
        let b = Stack(app, "B")
        let ra = CfnResource(a, "R", type: "AWS::SNS::Topic")
        let rb = CfnResource(b, "R", type: "AWS::SNS::Topic", properties: ["X": ra.ref])
        ra.cfnProperties["Y"] = rb.ref
        #expect(throws: SynthesisError.self) { try app.synthesize() }
    }

    @Test func stackTagsLandOnTaggableResourcesOnly() throws {
        let app = App()
        let s = Stack(app, "S")
        s.tags = ["team": "data", "app": "x"]
        _ = Bucket(s, "B")
        let t = try #require(try app.synthesize().first).template
        let bucket = try #require(t.resources.first { $0.type == "AWS::S3::Bucket" })
        #expect(bucket.properties["Tags"] == [["Key": "app", "Value": "x"], ["Key": "team", "Value": "data"]])
        let policy = try #require(t.resources.first { $0.type == "AWS::S3::BucketPolicy" })
        #expect(policy.properties["Tags"] == nil)
    }
}

@Suite struct ConstructLibraryTests {
    @Test func bucketsAreSecureByDefault() throws {
        let app = App()
        let s = Stack(app, "S")
        _ = Bucket(s, "B")
        let t = try #require(try app.synthesize().first).template
        let b = try #require(t.resources.first { $0.type == "AWS::S3::Bucket" })
        #expect(b.deletionPolicy == .retain)
        #expect(b.properties["PublicAccessBlockConfiguration"]?["BlockPublicPolicy"] == true)
        #expect(b.properties["BucketEncryption"] != nil)
        let policy = try #require(t.resources.first { $0.type == "AWS::S3::BucketPolicy" })
        let statement = policy.properties["PolicyDocument"]?["Statement"]?.arrayValue?.first
        #expect(statement?["Effect"] == "Deny")
        #expect(statement?["Condition"]?["Bool"]?["aws:SecureTransport"] == "false")
    }

    @Test func grantsLandInTheRolesDefaultPolicyAndSayWhere() throws {
        let app = App()
        let s = Stack(app, "S")
        let role = Role(s, "R", RoleProps(assumedBy: "lambda.amazonaws.com"))
        let bucket = Bucket(s, "B")
        let grant = bucket.grantRead(role)
        #expect(grant.addedToPrincipal)
        #expect(grant.statements.first?.actions == Actions.bucketRead)
        let t = try #require(try app.synthesize().first).template
        let policy = try #require(t.resources.first { $0.type == "AWS::IAM::Policy" })
        #expect(policy.properties["Roles"] == [Fn.ref(role.resource.logicalId)])
    }

    @Test func wildcardActionsAreRefused() throws {
        let app = App()
        let s = Stack(app, "S")
        let role = Role(s, "R", RoleProps(assumedBy: "lambda.amazonaws.com"))
        role.addToPrincipalPolicy(PolicyStatement(actions: ["*"], resources: ["*"]))
        let t = try #require(try app.synthesize().first).template
        #expect(LeastPrivilege.violations(in: t).count == 1)
    }

    @Test func ruleTargetsGetAnInvokePermission() throws {
        let app = App()
        let s = Stack(app, "S")
        let f = Function(s, "F", FunctionProps(imageUri: "1.dkr.ecr.us-east-1.amazonaws.com/r:t"))
        let rule = Rule(s, "Every", trigger: .schedule("rate(1 hour)"))
        rule.addTarget(f)
        let t = try #require(try app.synthesize().first).template
        let permission = try #require(t.resources.first { $0.type == "AWS::Lambda::Permission" })
        #expect(permission.properties["Principal"] == "events.amazonaws.com")
        #expect(permission.properties["SourceArn"] == Fn.getAtt(rule.resource.logicalId, "Arn"))
    }

    @Test func connectionArnsAreAllowedInBothForms() {
        let forms = Pipeline.connectionArnForms("arn:aws:codestar-connections:us-west-2:1:connection/x")
        #expect(forms == ["arn:aws:codestar-connections:us-west-2:1:connection/x",
                          "arn:aws:codeconnections:us-west-2:1:connection/x"])
    }
}
