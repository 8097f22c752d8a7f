import CloudFormation
import ConstructCore
import ConstructLibrary

/// The toolkit stack, built from the same constructs as any other stack: a staging bucket
/// for templates and file assets, an ECR repository for image assets, a deploy role (for
/// CI and trusted accounts), an optional CloudFormation execution role, and the bootstrap
/// version in SSM.
public final class ToolkitStack: Stack {
    public struct Options: Sendable {
        public var trustedAccounts: [String] = []
        public var executionPolicies: [String] = []
        public init(trustedAccounts: [String] = [], executionPolicies: [String] = []) {
            self.trustedAccounts = trustedAccounts
            self.executionPolicies = executionPolicies
        }
    }

    public init(_ app: App, names: ToolkitNames, options: Options) {
        super.init(app, "Toolkit", stackName: names.stackName, env: Environment(account: names.account, region: names.region))
        templateDescription = "tsdeploy toolkit (qualifier \(names.qualifier)): staging bucket, image repository, deploy roles"

        var bucketProps = BucketProps(bucketName: names.stagingBucket, removalPolicy: .retain)
        bucketProps.versioned = true
        bucketProps.lifecycleRules = [
            LifecycleRule(id: "ExpireOldVersions", noncurrentVersionExpirationDays: 30),
            LifecycleRule(id: "AbortIncompleteUploads", abortIncompleteMultipartUploadDays: 1),
        ]
        let bucket = Bucket(self, "StagingBucket", bucketProps)
        let repository = Repository(self, "ContainerAssetsRepository", RepositoryProps(repositoryName: names.imageRepository))

        var executionRole: Role?
        if !options.executionPolicies.isEmpty {
            var props = RoleProps(assumedBy: "cloudformation.amazonaws.com", roleName: names.executionRole,
                                  description: "Passed to CloudFormation by tsdeploy deploy")
            props.managedPolicyArns = options.executionPolicies
            executionRole = Role(self, "CloudFormationExecutionRole", props)
        }

        var deployProps = RoleProps(assumedBy: "", roleName: names.deployRole,
                                    description: "Assumed by CI or trusted accounts to run tsdeploy deploy")
        deployProps.trustedAccounts = [names.account] + options.trustedAccounts.filter { $0 != names.account }
        let deployRole = Role(self, "DeployRole", deployProps)
        deployRole.addToPrincipalPolicy(PolicyStatement(
            sid: "ChangeSets",
            actions: ["cloudformation:CreateChangeSet", "cloudformation:DescribeChangeSet", "cloudformation:ExecuteChangeSet",
                      "cloudformation:DeleteChangeSet", "cloudformation:ListChangeSets", "cloudformation:DescribeStacks",
                      "cloudformation:DescribeStackEvents", "cloudformation:GetTemplate", "cloudformation:ListStackResources",
                      "cloudformation:DeleteStack", "cloudformation:ContinueUpdateRollback"],
            resources: [Fn.sub("arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/*")]))
        bucket.grantReadWrite(deployRole)
        deployRole.addToPrincipalPolicy(PolicyStatement(
            sid: "BootstrapVersion", actions: ["ssm:GetParameter"],
            resources: [Fn.sub("arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:parameter\(names.versionParameter)")]))
        deployRole.addToPrincipalPolicy(PolicyStatement(
            sid: "Images", actions: ["ecr:DescribeImages", "ecr:DescribeRepositories"],
            resources: [Fn.sub("arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/*")]))
        if let executionRole { _ = executionRole.grantPassRole(deployRole, toService: "cloudformation.amazonaws.com") }
        repository.grantPullPush(deployRole)

        let version = CfnResource(self, "BootstrapVersion", type: "AWS::SSM::Parameter")
        version.cfnProperties = [
            "Name": .string(names.versionParameter), "Type": "String", "Value": .string(String(ToolkitNames.version)),
            "Description": "Version of the tsdeploy toolkit stack; deploy checks it",
        ]

        addOutput(Output(logicalId: "BucketName", value: bucket.bucketName, description: "Staging bucket for templates and assets"))
        addOutput(Output(logicalId: "ImageRepositoryName", value: repository.repositoryName))
        addOutput(Output(logicalId: "BootstrapVersion", value: .string(String(ToolkitNames.version))))
    }
}
