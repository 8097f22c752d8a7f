import AWSClient
import ArgumentParser
import CloudFormation
import ConstructCore
import DeployEngine
import Foundation
import TsdatApp

public struct Bootstrap: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Prepare an account and region for tsdeploy: staging bucket, image repository, roles, version.",
        discussion: """
            Idempotent and non-interactive: safe to run from CI on every build. The \
            environment defaults to the account and region of pipelines_config.yml.
            """)

    @Argument(help: "aws://ACCOUNT/REGION (default: from the config, else the credentials and region in use).")
    public var environment: String?

    @OptionGroup public var aws: AWSOptions

    @Option(help: "Qualifier [a-z0-9-]{1,10}, part of every toolkit resource name.")
    public var qualifier = ToolkitNames.defaultQualifier

    @Option(help: "The toolkit stack's name.")
    public var toolkitStackName = ToolkitNames.defaultStackName

    @Option(help: "An account allowed to assume the deploy role; repeatable.")
    public var trust: [String] = []

    @Option(name: .customLong("cloudformation-execution-policies"),
            help: "Managed policy ARN for a CloudFormation execution role that deploy passes to CloudFormation; repeatable.")
    public var executionPolicies: [String] = []

    @Flag(help: "Print the toolkit template and stop.")
    public var showTemplate = false

    @Flag(help: "Print the result as JSON.")
    public var json = false

    @Option(name: .shortAndLong, help: "The config whose account and region are the default environment.")
    public var config = "pipelines_config.yml"

    public init() {}

    public func validate() throws {
        guard ToolkitNames.isValidQualifier(qualifier) else {
            throw ValidationError("--qualifier must be 1 to 10 of a-z, 0-9 and '-' (it becomes part of bucket names)")
        }
        for account in trust where !(account.count == 12 && account.allSatisfy(\.isNumber)) {
            throw ValidationError("--trust takes 12-digit account ids, got '\(account)'")
        }
        guard Stack.isValidName(toolkitStackName) else { throw ValidationError("'\(toolkitStackName)' is not a valid stack name") }
        for policy in executionPolicies where !Self.isPolicyArn(policy) {
            throw ValidationError("--cloudformation-execution-policies takes managed policy ARNs (arn:aws:iam::aws:policy/NAME or arn:aws:iam::ACCOUNT:policy/NAME), got '\(policy)'")
        }
    }

    static func isPolicyArn(_ s: String) -> Bool {
        s.range(of: #"^arn:aws(-[a-z]+)*:iam::(aws|[0-9]{12}):policy/[A-Za-z0-9+=,.@_/-]{1,512}$"#, options: .regularExpression) != nil
    }

    public func run() async throws {
        try await Console.runReportingErrors {
            let session = try aws.session()
            var account: String?, region: String?
            if let environment {
                let parts = environment.hasPrefix("aws://") ? environment.dropFirst(6).split(separator: "/").map(String.init) : []
                guard parts.count == 2, parts[0].count == 12, parts[0].allSatisfy(\.isNumber), !parts[1].isEmpty else {
                    throw CLIError("'\(environment)' is not an environment", hint: "write it as aws://123456789012/us-west-2")
                }
                (account, region) = (parts[0], parts[1])
                try RegionName.validate(parts[1], source: "aws://\(parts[0])/…")
            } else if FileManager.default.fileExists(atPath: config) {
                let loaded = try ConfigLoader.load(path: config, branch: "main")
                (account, region) = (loaded.config.accountId, loaded.config.region)
            }
            let finalRegion = try region ?? session.requireRegion()
            // --show-template with a known account needs no AWS call at all.
            let identity = showTemplate && account != nil ? nil : try await session.sts(region: finalRegion).getCallerIdentity()
            guard let finalAccount = account ?? identity?.account else { throw CLIError("no account for the toolkit") }
            let names = ToolkitNames(qualifier: qualifier, account: finalAccount, region: finalRegion, stackName: toolkitStackName)
            let app = App()
            _ = ToolkitStack(app, names: names, options: .init(trustedAccounts: trust, executionPolicies: executionPolicies))
            guard let artifact = try app.synthesize().first else { throw CLIError("the toolkit stack did not synthesize") }
            if showTemplate {
                Console.stdout(YAMLWriter().string(artifact.template.render()))
                return
            }
            guard let identity, identity.account == finalAccount else {
                throw CLIError("aws://\(finalAccount)/\(finalRegion) is another account than the credentials' (\(identity?.account ?? "?"), \(identity?.arn ?? "?"))",
                               hint: "use credentials for \(finalAccount); `tsdeploy doctor` shows which are in use")
            }
            let cloudFormation = try session.cloudFormation(region: finalRegion)
            let s3 = try session.s3(region: finalRegion)
            let existing = try await cloudFormation.describeStack(names.stackName)
            if existing == nil || existing?.status == "REVIEW_IN_PROGRESS", try await s3.bucketExists(names.stagingBucket) {
                throw CLIError("the staging bucket \(names.stagingBucket) exists without a \(names.stackName) stack (left behind by a deleted toolkit, which retains it)",
                               hint: "if it holds nothing you need: `aws s3 rb s3://\(names.stagingBucket) --force`, then bootstrap again; or bootstrap with another --qualifier")
            }
            var options = DeployOptions()
            options.requireApproval = .never
            let reporter = json ? LineReporter(write: { _ in }) : EngineSupport.reporter()
            let started = Date()
            let result = try await StackDeployer(cloudFormation: cloudFormation, s3: s3, reporter: reporter, options: options)
                .deploy(try DeployableStack(artifact), parameters: [])
            let changed = result != .noChanges
            let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
            if json {
                let object: [String: Any] = [
                    "environment": "aws://\(finalAccount)/\(finalRegion)", "stack": names.stackName, "changed": changed,
                    "version": ToolkitNames.version, "bucket": names.stagingBucket, "repository": names.imageRepository,
                    "deployRole": names.deployRole, "executionRole": executionPolicies.isEmpty ? NSNull() : names.executionRole,
                ]
                let data = try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])
                Console.stdout(String(decoding: data, as: UTF8.self) + "\n")
            } else {
                Console.stderr(changed
                    ? "Bootstrapped aws://\(finalAccount)/\(finalRegion) (toolkit version \(ToolkitNames.version)) in \(seconds) s"
                    : "aws://\(finalAccount)/\(finalRegion) is already bootstrapped (toolkit version \(ToolkitNames.version)): no changes (\(seconds) s)")
            }
        }
    }
}
