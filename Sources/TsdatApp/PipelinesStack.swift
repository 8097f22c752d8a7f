import CloudFormation
import ConstructCore
import ConstructLibrary

/// `{repo}-{branch}-PipelinesStack`: per (pipeline, site) a function from the pipeline's
/// image, its log group, and its trigger — all of which the reference created
/// imperatively inside the build, where no diff showed them and no destroy removed them.
/// The sites of one stack of the functions partition (the first keeps the name
/// `{repo}-{branch}-PipelinesStack`; more are `…-PipelinesStack2`, `…3`, as CloudFormation's
/// quotas need; see TsdatDeployment).
public final class PipelinesStack: Stack {
    /// Per pipeline with a site here: its image tag and the parameter that pins its image.
    public private(set) var images: [(pipeline: String, tag: String, parameter: String)] = []
    private var imageRefs: [String: TemplateValue] = [:]
    private var scopes: [String: Construct] = [:]
    let config: PipelinesConfig
    let producer: CodePipelineStack

    /// Resources one site adds: function, log group, trigger, invoke permission, on-failure
    /// config, alarm.
    static let resourcesPerSite = 6

    init(_ app: App, number: Int, config c: PipelinesConfig, names: TsdatNames, producer: CodePipelineStack) {
        config = c
        self.producer = producer
        super.init(app, number == 1 ? "PipelinesStack" : "PipelinesStack\(number)", stackName: names.pipelinesStack(number),
                   env: Environment(account: c.accountId, region: c.region))
        templateDescription = "tsdat pipeline functions and triggers for \(c.pipelinesRepoName) (branch \(names.branch))"
            + (number == 1 ? "" : ", part \(number)")
    }

    func addSite(_ p: PipelineConfig, _ site: SiteConfig, image: (tag: String, parameter: Parameter), names: inout TsdatNames) {
        let c = config, producer = self.producer
        let imageRef: TemplateValue
        if let ref = imageRefs[p.name] {
            imageRef = ref
        } else {
            imageRef = addParameter(image.parameter)
            imageRefs[p.name] = imageRef
            images.append((p.name, image.tag, image.parameter.logicalId))
            // The engine checks that the image exists before deploying functions that use it.
            addEngineMetadata("tsdeploy:image-parameter",
                              ["parameter": .string(image.parameter.logicalId), "repository": .string(names.repositoryName)], at: self)
        }
        let pipelineScope = scopes[p.name] ?? Construct(self, p.name)
        scopes[p.name] = pipelineScope
        do {
                let fnName = names.functionName(p.name, site.id)
                let siteScope = Construct(pipelineScope, site.id)
                let logGroup = LogGroup(siteScope, "LogGroup", logGroupName: "/aws/lambda/\(fnName)",
                                        retentionDays: c.logRetentionDays)
                var env: OrderedObject = [
                    "PIPELINE_NAME": .string(p.name),
                    "PIPELINE_TYPE": .string(p.kind.rawValue),
                    "CONFIG_ID": .string(site.id),
                    "CONFIG_FILE_PATH": .string(site.configFilePath),
                    "RETAIN_INPUT_FILES": "true",
                    "CODE_VERSION": imageRef,
                    "TSDAT_S3_BUCKET_NAME": producer.outputBucket.bucketName,
                    "INPUT_BUCKET_NAME": producer.inputBucket.bucketName,
                    "BRANCH": .string(names.branch),
                ]
                if let path = site.inputBucketPath { env["INPUT_BUCKET_PATH"] = .string(ConfigValidation.normalizePrefix(path)) }
                if let schedule = p.schedule, p.trigger == .cron { env["SCHEDULE"] = .string(schedule.rawValue) }

                var props = FunctionProps(
                    imageUri: Fn.sub("${Uri}${Ref}", ["Uri": producer.repository.repositoryUri, "Ref": imageRef]),
                    role: producer.lambdaRole, functionName: fnName)
                props.timeoutSeconds = p.timeoutSeconds
                props.memorySize = p.memoryMB
                props.environment = env
                props.logGroup = logGroup
                props.description = "tsdat \(p.kind.rawValue) pipeline \(p.name), site \(site.id)"
                let function = Function(siteScope, "Function", props)
                // An invocation still failing after Lambda's two retries goes to the branch's
                // queue (with its event, so it can be replayed) and the error alarm fires.
                function.onFailure(destinationArn: producer.failureQueue.queueArn)
                var errors = AlarmProps(namespace: "AWS/Lambda", metricName: "Errors", dimensions: [("FunctionName", .string(fnName))])
                errors.alarmName = names.errorAlarmName(function: fnName)
                errors.description = "tsdat pipeline \(p.name), site \(site.id): an invocation failed (tsdeploy logs \(names.branch) \(p.name) \(site.id))"
                Alarm(siteScope, "ErrorAlarm", errors).resource.addDependency(function.resource)

                let trigger: Rule.Trigger
                switch p.trigger {
                case .cron:
                    trigger = .schedule((p.schedule ?? .daily).expression)
                case .s3:
                    trigger = .eventPattern([
                        "source": ["aws.s3"],
                        "detail-type": ["Object Created"],
                        "detail": [
                            "bucket": ["name": [producer.inputBucket.bucketName]],
                            "object": ["key": [["prefix": .string(ConfigValidation.normalizePrefix(site.inputBucketPath ?? ""))]]],
                        ],
                    ])
                }
                let rule = Rule(siteScope, "Trigger", trigger: trigger, ruleName: names.ruleName(p.name, site.id),
                                description: p.trigger == .cron
                                    ? "Runs \(p.name)/\(site.id) \(p.schedule?.rawValue.lowercased() ?? "")"
                                    : "Runs \(p.name)/\(site.id) for new objects under its input prefix")
                rule.addTarget(function)
        }
    }

    /// The image reference suffix (`:TAG` or `@sha256:DIGEST`) of one pipeline. It defaults
    /// to the reference's tag; the build passes the digest it pushed, so a new image
    /// really updates the functions (an unchanged URI never does).
    static func imageParameter(for p: PipelineConfig, tag: String, taken: inout Set<String>) -> Parameter {
        var id = "ImageRef" + LogicalId.alphanumeric(p.name)
        if taken.contains(id) { id += StableHash.hex8(p.name).uppercased() }
        taken.insert(id)
        var parameter = Parameter(logicalId: id, description: "Image of pipeline \(p.name): ':TAG' or '@sha256:DIGEST'",
                                  defaultValue: .string(":" + tag))
        parameter.allowedPattern = "^(:[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}|@sha256:[a-f0-9]{64})$"
        parameter.constraintDescription = "':' followed by an image tag, or '@sha256:' followed by a digest"
        return parameter
    }
}
