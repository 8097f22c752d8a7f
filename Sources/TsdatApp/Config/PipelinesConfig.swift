/// `pipelines_config.yml`, the tsdat aws-template format (see docs/configuration.md).
public struct PipelinesConfig: Sendable, Hashable {
    public var githubOrg: String
    public var pipelinesRepoName: String
    public var awsRepoName: String
    public var accountId: String
    public var region: String
    public var inputBucketName: String
    public var outputBucketName: String
    public var createBuckets: Bool
    public var githubCodestarArn: String
    public var pipelines: [PipelineConfig]
    /// Tags for every resource (and the stacks).
    public var tags: [String: String]
    /// Retention of the functions' log groups.
    public var logRetentionDays: Int

    public static let defaultLogRetentionDays = 90
}

public struct PipelineConfig: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable { case ingest = "Ingest", vap = "VAP" }
    public enum Trigger: String, Sendable, CaseIterable { case s3 = "S3", cron = "Cron" }
    public enum Schedule: String, Sendable, CaseIterable {
        case hourly = "Hourly", daily = "Daily", weekly = "Weekly", monthly = "Monthly"

        /// The reference's exact EventBridge expressions (UTC).
        public var expression: String {
            switch self {
            case .hourly: "cron(0 0/1 * * ? *)"
            case .daily: "cron(0 2 * * ? *)"
            case .weekly: "cron(30 2 ? * 1 *)"
            case .monthly: "cron(0 3 1 * ? *)"
            }
        }
    }

    public var name: String
    public var kind: Kind
    public var trigger: Trigger
    public var schedule: Schedule?
    public var sites: [SiteConfig]
    public var timeoutSeconds: Int
    public var memoryMB: Int

    public static let defaultTimeout = 120
    public static let defaultMemory = 1024
}

public struct SiteConfig: Sendable, Hashable {
    public var id: String
    /// Normalized: no leading `./` or `/`, ends with `/`.
    public var inputBucketPath: String?
    public var configFilePath: String
}
