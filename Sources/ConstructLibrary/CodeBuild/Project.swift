import CloudFormation
import ConstructCore

public struct ProjectProps {
    /// Fixed name (`[A-Za-z0-9][A-Za-z0-9_-]{1,254}`); also names its log group.
    public var projectName: String
    /// Path of the buildspec inside the primary source.
    public var buildSpec = "buildspec.yml"
    public var image = "aws/codebuild/amazonlinux2-x86_64-standard:5.0"
    public var computeType = "BUILD_GENERAL1_MEDIUM"
    /// Needed to run Docker builds inside the build.
    public var privileged = false
    /// Plain-text variables, in order.
    public var environmentVariables: [(String, TemplateValue)] = []
    public var timeoutMinutes = 60
    public var description: String?

    public init(projectName: String) { self.projectName = projectName }
}

/// `AWS::CodeBuild::Project` run by CodePipeline, with its own role that may write its
/// logs and reports and nothing else until granted more.
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-codebuild-project.html
public final class Project: Construct, Grantable {
    public private(set) var resource: CfnResource!
    public private(set) var role: Role!
    public let props: ProjectProps

    public init(_ scope: Construct, _ id: String, _ props: ProjectProps) {
        self.props = props
        super.init(scope, id)
        role = Role(self, "Role", RoleProps(assumedBy: "codebuild.amazonaws.com"))
        let logGroup = "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/aws/codebuild/\(props.projectName)"
        role.addToPrincipalPolicy(PolicyStatement(
            actions: Actions.logsWrite, resources: [Fn.sub(logGroup), Fn.sub(logGroup + ":*")]))
        role.addToPrincipalPolicy(PolicyStatement(
            actions: ["codebuild:CreateReportGroup", "codebuild:CreateReport", "codebuild:UpdateReport",
                      "codebuild:BatchPutTestCases", "codebuild:BatchPutCodeCoverages"],
            resources: [Fn.sub("arn:${AWS::Partition}:codebuild:${AWS::Region}:${AWS::AccountId}:report-group/\(props.projectName)-*")]))

        var p = OrderedObject()
        p["Artifacts"] = ["Type": "CODEPIPELINE"]
        p.set("Description", props.description.map(TemplateValue.string))
        p["EncryptionKey"] = Fn.sub("arn:${AWS::Partition}:kms:${AWS::Region}:${AWS::AccountId}:alias/aws/s3")
        var env: OrderedObject = [
            "ComputeType": .string(props.computeType), "Image": .string(props.image),
            "ImagePullCredentialsType": "CODEBUILD", "PrivilegedMode": .bool(props.privileged), "Type": "LINUX_CONTAINER",
        ]
        if !props.environmentVariables.isEmpty {
            env["EnvironmentVariables"] = .array(props.environmentVariables.map {
                ["Name": .string($0.0), "Type": "PLAINTEXT", "Value": $0.1]
            })
        }
        p["Environment"] = .object(env)
        p["Name"] = .string(props.projectName)
        p["ServiceRole"] = role.roleArn
        p["Source"] = ["BuildSpec": .string(props.buildSpec), "Type": "CODEPIPELINE"]
        p["TimeoutInMinutes"] = .int(props.timeoutMinutes)
        resource = CfnResource(self, "Resource", type: "AWS::CodeBuild::Project", properties: p)
        resource.physicalValues = [
            "Ref": .string(props.projectName),
            "Arn": Fn.sub("arn:${AWS::Partition}:codebuild:${AWS::Region}:${AWS::AccountId}:project/\(props.projectName)"),
        ]
    }

    public var projectName: TemplateValue { resource.ref }
    /// Built from the fixed name rather than `Fn::GetAtt`: the same value on AWS, and it
    /// also deploys where the project type is not modelled (the emulator skips it).
    public var projectArn: TemplateValue { resource.physicalValues["Arn"] ?? resource.getAtt("Arn") }

    public var grantPrincipal: Principal { role.grantPrincipal }
    @discardableResult
    public func addToPrincipalPolicy(_ statement: PolicyStatement) -> Bool { role.addToPrincipalPolicy(statement) }

    public override func prepare() {
        for policy in role.policyResources() { resource.addDependency(policy) }
    }
}
