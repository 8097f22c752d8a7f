import CloudFormation
import ConstructCore
import ConstructLibrary

/// `{repo}-{branch}-CodePipelineStack`: the data buckets, the functions' role, the image
/// repository, and the CodePipeline that builds images and deploys the PipelinesStack.
public final class CodePipelineStack: Stack {
    public private(set) var inputBucket: BucketRef!
    public private(set) var outputBucket: BucketRef!
    public private(set) var lambdaRole: Role!
    public private(set) var repository: Repository!
    public private(set) var project: Project!
    public private(set) var pipeline: Pipeline!

    init(_ app: App, config c: PipelinesConfig, names: inout TsdatNames) {
        super.init(app, "CodePipelineStack", stackName: names.codePipelineStack,
                   env: Environment(account: c.accountId, region: c.region))
        templateDescription = "tsdat pipelines build and data stores for \(c.pipelinesRepoName) (branch \(names.branch))"

        if c.createBuckets {
            // Data buckets hold the users' data: they outlive the stack.
            let input = Bucket(self, "InputBucket", BucketProps(bucketName: c.inputBucketName, removalPolicy: .retain))
            input.enableEventBridgeNotifications()
            inputBucket = input
            outputBucket = Bucket(self, "OutputBucket", BucketProps(bucketName: c.outputBucketName, removalPolicy: .retain))
        } else {
            inputBucket = Bucket.fromBucketName(self, "InputBucket", c.inputBucketName)
            outputBucket = Bucket.fromBucketName(self, "OutputBucket", c.outputBucketName)
            if c.pipelines.contains(where: { $0.trigger == .s3 }) { inputBucket.enableEventBridgeNotifications() }
        }

        lambdaRole = Role(self, "LambdaRole", RoleProps(
            assumedBy: "lambda.amazonaws.com", roleName: names.lambdaRoleName(),
            managedPolicies: ["service-role/AWSLambdaBasicExecutionRole"],
            description: "Runs the tsdat pipeline functions of \(names.base)"))
        inputBucket.grantReadWrite(lambdaRole)
        outputBucket.grantReadWrite(lambdaRole)

        repository = Repository(self, "Repository", RepositoryProps(repositoryName: names.repositoryName))
        repository.allowLambdaPull()

        project = Project(self, "BuildProject", buildProjectProps(c, names: names))
        grantBuild(c, names: &names)

        let deploySource = Artifact("DeploymentSource")
        let pipelinesSource = Artifact("PipelinesSource")
        pipeline = Pipeline(self, "Pipeline", PipelineProps(pipelineName: names.pipelineName(), stages: [
            PipelineStage(name: names.sourceStage, actions: [
                .codeStarConnectionSource(
                    name: "\(c.awsRepoName)-source".replacingOccurrences(of: ".", with: "-"),
                    connectionArn: c.githubCodestarArn, repository: "\(c.githubOrg)/\(c.awsRepoName)",
                    branch: names.branch, output: deploySource, detectChanges: false, fullClone: true),
                .codeStarConnectionSource(
                    name: "\(c.pipelinesRepoName)-source".replacingOccurrences(of: ".", with: "-"),
                    connectionArn: c.githubCodestarArn, repository: "\(c.githubOrg)/\(c.pipelinesRepoName)",
                    branch: names.branch, output: pipelinesSource, detectChanges: true, fullClone: true),
            ]),
            PipelineStage(name: names.buildStage, actions: [
                .codeBuild(name: "build-and-deploy", project: project, inputs: [deploySource, pipelinesSource])
            ]),
        ]))
        pipeline.grantUseConnection(project, c.githubCodestarArn)
    }

    private func buildProjectProps(_ c: PipelinesConfig, names: TsdatNames) -> ProjectProps {
        var props = ProjectProps(projectName: names.projectName)
        props.privileged = true  // Docker builds of the pipeline images
        props.description = "Builds the tsdat pipeline images of \(names.base) and deploys their functions"
        props.environmentVariables = [
            ("AWS_ACCOUNT_ID", .string(c.accountId)),
            ("AWS_DEFAULT_REGION", .string(c.region)),
            ("PIPELINES_REPO_NAME", .string(c.pipelinesRepoName)),
            ("PIPELINES_REPO_URL", .string("git@github.com:\(c.githubOrg)/\(c.pipelinesRepoName).git")),
            ("AWS_PIPELINE_NAME", .string(names.stackPrefix)),
            ("BRANCH", .string(names.branch)),
            ("LAMBDA_ROLE_ARN", lambdaRole.roleArn),
            ("ECR_REPOSITORY_URI", repository.repositoryUri),
        ]
        return props
    }

    /// The build pushes images and deploys the PipelinesStack through CloudFormation,
    /// so it may do exactly that: its own stack, names under its prefix, its role.
    private func grantBuild(_ c: PipelinesConfig, names: inout TsdatNames) {
        repository.grantPullPush(project)
        lambdaRole.grantPassRole(project, toService: "lambda.amazonaws.com")
        // Exact names, not `{repo}-{branch}*`: a prefix of one branch's names is the start
        // of another's (`m` of `main`), so a pattern would let one branch's build change
        // another branch's functions. A config that adds a site updates these grants when
        // this stack is deployed.
        var derived = names  // a copy: the PipelinesStack reports shortened names itself
        var functions: [String] = [], rules: [String] = []
        for p in c.pipelines {
            for site in p.sites {
                functions.append(derived.functionName(p.name, site.id))
                rules.append(derived.ruleName(p.name, site.id))
            }
        }
        let stackArn = "arn:${AWS::Partition}:cloudformation:${AWS::Region}:${AWS::AccountId}:stack/\(names.pipelinesStack)/*"
        project.addToPrincipalPolicy(PolicyStatement(
            actions: ["cloudformation:CreateChangeSet", "cloudformation:DeleteChangeSet", "cloudformation:DescribeChangeSet",
                      "cloudformation:DescribeStackEvents", "cloudformation:DescribeStacks", "cloudformation:ExecuteChangeSet",
                      "cloudformation:GetTemplate"],
            resources: [Fn.sub(stackArn)]))
        project.addToPrincipalPolicy(PolicyStatement(
            actions: ["ecr:DescribeImages"], resources: [repository.repositoryArn]))
        inputBucket.grantNotificationConfiguration(project)
        guard !functions.isEmpty else { return }
        project.addToPrincipalPolicy(PolicyStatement(
            actions: ["lambda:AddPermission", "lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction",
                      "lambda:GetFunctionConfiguration", "lambda:RemovePermission", "lambda:TagResource",
                      "lambda:UntagResource", "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration",
                      "lambda:ListTags"],
            resources: functions.map { Fn.sub("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:\($0)") }))
        project.addToPrincipalPolicy(PolicyStatement(
            actions: ["events:DeleteRule", "events:DescribeRule", "events:PutRule", "events:PutTargets",
                      "events:RemoveTargets", "events:TagResource", "events:UntagResource"],
            resources: rules.map { Fn.sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/\($0)") }))
        project.addToPrincipalPolicy(PolicyStatement(
            actions: ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DescribeLogGroups", "logs:PutRetentionPolicy",
                      "logs:TagResource", "logs:UntagResource"],
            resources: functions.flatMap { fn in
                [":log-group:/aws/lambda/\(fn)", ":log-group:/aws/lambda/\(fn):*"]
                    .map { Fn.sub("arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}" + $0) }
            }))
    }
}
