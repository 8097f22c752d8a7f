import CloudFormation
import ConstructCore

/// A named output of one action and input of others.
public struct Artifact: Sendable, Hashable {
    public let name: String
    public init(_ name: String) { self.name = name }
}

/// The actions tsdeploy's pipelines use.
public enum PipelineAction {
    /// A GitHub (or other) repository through a CodeStar / CodeConnections connection.
    /// `fullClone` hands CodeBuild a git clone (`CODEBUILD_CLONE_REF`) instead of a zip.
    case codeStarConnectionSource(name: String, connectionArn: String, repository: String, branch: String,
                                  output: Artifact, detectChanges: Bool, fullClone: Bool)
    /// Runs a CodeBuild project; the first input is the primary source.
    case codeBuild(name: String, project: Project, inputs: [Artifact])
}

public struct PipelineStage {
    public var name: String
    public var actions: [PipelineAction]
    public init(name: String, actions: [PipelineAction]) {
        self.name = name
        self.actions = actions
    }
}

public struct PipelineProps {
    /// Fixed name (`[A-Za-z0-9.@_-]`, ≤ 100).
    public var pipelineName: String
    public var stages: [PipelineStage]
    /// V2 supports triggers and execution modes; set explicitly so an account default never decides.
    public var pipelineType = "V2"
    /// A newer run replaces a waiting one: builds always deploy the newest commit.
    public var executionMode = "SUPERSEDED"

    public init(pipelineName: String, stages: [PipelineStage]) {
        self.pipelineName = pipelineName
        self.stages = stages
    }
}

/// `AWS::CodePipeline::Pipeline` with its artifacts bucket (encrypted, TLS-only, emptied
/// by `tsdeploy destroy`) and a role holding exactly what its actions need.
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-codepipeline-pipeline.html
public final class Pipeline: Construct {
    public private(set) var resource: CfnResource!
    public private(set) var role: Role!
    public private(set) var artifactsBucket: Bucket!

    public init(_ scope: Construct, _ id: String, _ props: PipelineProps) {
        super.init(scope, id)
        var bucketProps = BucketProps(removalPolicy: .delete)
        bucketProps.emptyOnDelete = true
        artifactsBucket = Bucket(self, "ArtifactsBucket", bucketProps)
        artifactsBucket.addLifecycleRule(LifecycleRule(id: "ExpireArtifacts", expirationDays: 30,
                                                       abortIncompleteMultipartUploadDays: 7))
        role = Role(self, "Role", RoleProps(assumedBy: "codepipeline.amazonaws.com"))
        artifactsBucket.grantReadWrite(role)

        let stages: [TemplateValue] = props.stages.map { stage in
            ["Name": .string(stage.name), "Actions": .array(stage.actions.map(render))]
        }
        var p = OrderedObject()
        p["ArtifactStore"] = ["Location": artifactsBucket.bucketName, "Type": "S3"]
        p["ExecutionMode"] = .string(props.executionMode)
        p["Name"] = .string(props.pipelineName)
        p["PipelineType"] = .string(props.pipelineType)
        p["RestartExecutionOnUpdate"] = false
        p["RoleArn"] = role.roleArn
        p["Stages"] = .array(stages)
        resource = CfnResource(self, "Resource", type: "AWS::CodePipeline::Pipeline", properties: p)
        resource.addDependency(role.resource)
    }

    private func render(_ action: PipelineAction) -> TemplateValue {
        switch action {
        case let .codeStarConnectionSource(name, connectionArn, repository, branch, output, detectChanges, fullClone):
            grantUseConnection(role, connectionArn)
            return [
                "ActionTypeId": ["Category": "Source", "Owner": "AWS", "Provider": "CodeStarSourceConnection", "Version": "1"],
                "Configuration": [
                    "ConnectionArn": .string(connectionArn), "FullRepositoryId": .string(repository),
                    "BranchName": .string(branch), "DetectChanges": .bool(detectChanges),
                    "OutputArtifactFormat": fullClone ? "CODEBUILD_CLONE_REF" : "CODE_ZIP",
                ],
                "Name": .string(name),
                "OutputArtifacts": [["Name": .string(output.name)]],
                "RunOrder": 1,
            ]
        case let .codeBuild(name, project, inputs):
            role.addToPrincipalPolicy(PolicyStatement(
                actions: ["codebuild:BatchGetBuilds", "codebuild:StartBuild", "codebuild:StopBuild"],
                resources: [project.projectArn]))
            artifactsBucket.grantReadWrite(project)
            var configuration: OrderedObject = ["ProjectName": project.projectName]
            if inputs.count > 1 { configuration["PrimarySource"] = .string(inputs[0].name) }
            return [
                "ActionTypeId": ["Category": "Build", "Owner": "AWS", "Provider": "CodeBuild", "Version": "1"],
                "Configuration": .object(configuration),
                "InputArtifacts": .array(inputs.map { ["Name": .string($0.name)] }),
                "Name": .string(name),
                "RunOrder": 1,
            ]
        }
    }

    /// A full clone makes CodeBuild use the connection too; grant it to every project
    /// that consumes such a source.
    public func grantUseConnection(_ grantee: Grantable, _ connectionArn: String) {
        grantee.addToPrincipalPolicy(PolicyStatement(
            actions: ["codestar-connections:UseConnection", "codeconnections:UseConnection"],
            resources: Self.connectionArnForms(connectionArn).map(TemplateValue.string)))
    }

    /// A connection made as `codestar-connections` is also addressable as `codeconnections`
    /// (and the reverse); IAM evaluates whichever form the service presents, so allow both.
    public static func connectionArnForms(_ arn: String) -> [String] {
        let a = arn.replacingOccurrences(of: ":codeconnections:", with: ":codestar-connections:")
        let b = a.replacingOccurrences(of: ":codestar-connections:", with: ":codeconnections:")
        return a == b ? [arn] : [a, b]
    }
}
