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
    /// Where the functions send an invocation that failed after Lambda's retries.
    public private(set) var failureQueue: Queue!
    public let repositoryName: String
    /// Template parameters the engine sets when it publishes the tsdeploy binary for the build.
    public static let binaryParameter = "TsdeployBinarySha256"
    public static let qualifierParameter = "ToolkitQualifier"
    /// The staging-bucket key of the binary whose SHA-256 is `sha`.
    public static func binaryKey(sha256 sha: String) -> String { "tsdeploy-binaries/\(sha)/tsdeploy-linux-x86_64" }

    /// The names of the functions stacks the build deploys.
    public let functionStacks: [String]
    /// Up to this many sites the build's role names each function, rule, log group and alarm;
    /// past it (IAM's policy quotas) it holds them by the branch's name prefix.
    public static let exactGrantSites = 50

    init(_ app: App, config c: PipelinesConfig, names: inout TsdatNames, functionStacks: [String]) {
        self.functionStacks = functionStacks
        repositoryName = names.repositoryName
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

        // Deleted with the stack (destroy asks first): a retained queue keeps its fixed name
        // taken, and the next deploy of the branch would fail on it. A deploy that would
        // replace or remove it stops and asks, as for any resource holding data.
        let queueName = names.failureQueueName()
        failureQueue = Queue(self, "FailureQueue", QueueProps(queueName: queueName))
        failureQueue.grantSendMessages(lambdaRole)
        var depth = AlarmProps(namespace: "AWS/SQS", metricName: "ApproximateNumberOfMessagesVisible",
                               dimensions: [("QueueName", failureQueue.queueName)])
        depth.alarmName = queueName + "-not-empty"
        depth.statistic = "Maximum"
        depth.description = "Pipeline invocations of \(names.base) failed after Lambda's retries; their events wait in the queue"
        _ = Alarm(self, "FailureQueueAlarm", depth)

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
        var sha = Parameter(logicalId: Self.binaryParameter,
                            description: "SHA-256 of the Linux tsdeploy binary the build runs (tsdeploy deploy publishes it to the staging bucket)",
                            defaultValue: "none")
        sha.allowedPattern = "^([a-f0-9]{64}|none)$"
        sha.constraintDescription = "64 lower-case hex digits, or 'none'"
        let shaRef = addParameter(sha)
        var qualifier = Parameter(logicalId: Self.qualifierParameter, description: "Qualifier of the tsdeploy toolkit (staging bucket)",
                                  defaultValue: "default")
        qualifier.allowedPattern = "^[a-z0-9-]{1,10}$"
        qualifier.constraintDescription = "1 to 10 lower-case letters, digits and '-'"
        let qualifierRef = addParameter(qualifier)
        addEngineMetadata("tsdeploy:qualifier-parameter", ["parameter": .string(Self.qualifierParameter)], at: self)
        addEngineMetadata("tsdeploy:file-asset", ["parameter": .string(Self.binaryParameter), "source": "tsdeploy-binary",
                                                  "key": .string(Self.binaryKey(sha256: "{sha256}"))], at: self)

        var props = ProjectProps(projectName: names.projectName)
        props.buildSpec = Buildspec.text
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
            ("TSDEPLOY_QUALIFIER", qualifierRef),
            ("TSDEPLOY_ASSET_BUCKET", Fn.sub(Self.stagingBucketPattern)),
            ("TSDEPLOY_BINARY_KEY", Fn.sub(Self.binaryKey(sha256: "${\(Self.binaryParameter)}"))),
            ("TSDEPLOY_BINARY_SHA256", shaRef),
        ]
        return props
    }

    static let stagingBucketPattern = "tsdeploy-${\(qualifierParameter)}-assets-${AWS::AccountId}-${AWS::Region}"

    /// The build pushes images and deploys the PipelinesStack through CloudFormation with its
    /// own credentials, so its role holds exactly that: its stack, its images, and what
    /// CloudFormation calls for each function, rule, log group and alarm of this branch.
    private func grantBuild(_ c: PipelinesConfig, names: inout TsdatNames) {
        repository.grantPullPush(project)
        // Up to `exactGrantSites` sites: exact names, not `{repo}-{branch}*` — a prefix of one
        // branch's names is the start of another's (`m` of `main`), so a pattern would let one
        // branch's build change another branch's functions. A config that adds a site changes
        // these grants, so it needs this stack deployed first (docs/ci.md: the build refuses
        // until then). Past that IAM's policy quotas do not hold the names, and every name
        // (rules too) starts with `{repo}-{branch}-lambda-`, which is granted as a pattern; the
        // engine refuses a deploy where that pattern would reach another stack's names
        // (the name-scope outputs below, DeployEngine NameScopes).
        var scope: OrderedObject = ["names": .string(names.sharedNamePrefix)]
        if names.rulesUnderFunctionPrefix { scope["grants"] = .string(names.functionPrefix) }
        addEngineMetadata(NameScope.metadataType, .object(scope), at: self)
        addOutput(Output(logicalId: NameScope.namesOutput, value: .string(names.sharedNamePrefix),
                         description: "Every function, rule and alarm name of this branch starts with this (and every log group name after /aws/lambda/)"))
        if names.rulesUnderFunctionPrefix {
            addOutput(Output(logicalId: NameScope.grantsOutput, value: .string(names.functionPrefix),
                             description: "The build may change functions, log groups, alarms and rules whose names start with this"))
        }
        var derived = names  // a copy: the PipelinesStack reports shortened names itself
        var functions: [String] = [], rules: [String] = []
        for p in c.pipelines {
            for site in p.sites {
                functions.append(derived.functionName(p.name, site.id))
                rules.append(derived.ruleName(p.name, site.id))
            }
        }
        let arn = { (service: String, rest: String) in Fn.sub("arn:${AWS::Partition}:\(service):${AWS::Region}:${AWS::AccountId}:\(rest)") }
        project.addToPrincipalPolicy(PolicyStatement(
            sid: "DeployFunctionsStack",
            actions: ["cloudformation:CreateChangeSet", "cloudformation:DeleteChangeSet", "cloudformation:DescribeChangeSet",
                      "cloudformation:DescribeStackEvents", "cloudformation:DescribeStacks", "cloudformation:ExecuteChangeSet",
                      "cloudformation:GetTemplate", "cloudformation:ListStackResources"],
            resources: functionStacks.map { arn("cloudformation", "stack/\($0)/*") }))
        // Read only: the functions stack takes this stack's outputs, and the build checks that
        // this stack is deployed as the config describes before changing anything.
        project.addToPrincipalPolicy(PolicyStatement(
            sid: "ReadBuildStack", actions: ["cloudformation:DescribeStacks", "cloudformation:GetTemplate"],
            resources: [arn("cloudformation", "stack/\(names.codePipelineStack)/*")]))
        project.addToPrincipalPolicy(PolicyStatement(
            sid: "ToolkitVersion", actions: ["ssm:GetParameter"],
            resources: [arn("ssm", "parameter/tsdeploy-bootstrap/${\(Self.qualifierParameter)}/version")]))
        let staging = "arn:${AWS::Partition}:s3:::" + Self.stagingBucketPattern
        project.addToPrincipalPolicy(PolicyStatement(
            sid: "FetchTsdeploy", actions: ["s3:GetObject"],
            resources: [Fn.sub(staging + "/" + Self.binaryKey(sha256: "${\(Self.binaryParameter)}"))]))
        // Templates over 51,200 bytes go through the staging bucket (content-addressed keys).
        project.addToPrincipalPolicy(PolicyStatement(
            sid: "StageFunctionsTemplate", actions: ["s3:GetObject", "s3:PutObject"],
            resources: functionStacks.map { Fn.sub(staging + "/templates/\($0)-*") }))
        project.addToPrincipalPolicy(PolicyStatement(
            sid: "ResolveImages", actions: ["ecr:DescribeImages"], resources: [repository.repositoryArn]))
        if c.pipelines.contains(where: { $0.trigger == .s3 }) { inputBucket.grantNotificationConfiguration(project) }
        guard !functions.isEmpty else { return }

        let types: Set<String> = ["AWS::Lambda::Function", "AWS::Lambda::Permission", "AWS::Lambda::EventInvokeConfig",
                                  "AWS::Logs::LogGroup", "AWS::Events::Rule", "AWS::CloudWatch::Alarm"]
        for (scope, all) in FunctionsStackPermissions.actions(for: types) {
            var actions = all
            let resources: [TemplateValue]
            let byPrefix = names.rulesUnderFunctionPrefix, prefix = names.functionPrefix
            switch scope {
            case .functions: resources = byPrefix ? [arn("lambda", "function:\(prefix)*")] : functions.map { arn("lambda", "function:\($0)") }
            case .rules: resources = byPrefix ? [arn("events", "rule/\(prefix)*")] : rules.map { arn("events", "rule/\($0)") }
            case .alarms:
                resources = byPrefix ? [arn("cloudwatch", "alarm:\(prefix)*")]
                    : functions.map { arn("cloudwatch", "alarm:\(names.errorAlarmName(function: $0))") }
            case .logGroups:
                resources = byPrefix ? [arn("logs", "log-group:/aws/lambda/\(prefix)*")]
                    : functions.flatMap { [arn("logs", "log-group:/aws/lambda/\($0)"), arn("logs", "log-group:/aws/lambda/\($0):*")] }
                // DescribeLogGroups lists by prefix and is authorized on every group: read-only, on its own.
                actions.removeAll { $0 == "logs:DescribeLogGroups" }
                project.addToPrincipalPolicy(PolicyStatement(sid: "FunctionsStackListLogGroups", actions: ["logs:DescribeLogGroups"],
                                                             resources: [arn("logs", "log-group:*")]))
            case .repository: resources = [repository.repositoryArn]
            case .lambdaRole:
                lambdaRole.grantPassRole(project, toService: "lambda.amazonaws.com")
                continue
            }
            project.addToPrincipalPolicy(PolicyStatement(sid: "FunctionsStack" + scope.rawValue.prefix(1).uppercased() + scope.rawValue.dropFirst(),
                                                         actions: actions, resources: resources))
        }
    }
}
