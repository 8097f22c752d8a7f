/// The names of what `tsdeploy bootstrap` creates. Deterministic (like CDK's), so deploy
/// finds them from account, region and qualifier alone, without reading stack outputs.
public struct ToolkitNames: Sendable, Equatable {
    /// Bumped when the toolkit stack changes in a way deploy relies on.
    public static let version = 1
    public static let defaultStackName = "TSDeployToolkit"
    public static let defaultQualifier = "default"

    public var qualifier: String
    public var account: String
    public var region: String
    public var stackName: String
    /// Set by deploy when the toolkit has an execution role (bootstrapped with policies).
    public var executionRoleExists = false
    /// `aws`, `aws-cn`, `aws-us-gov`: from the caller's ARN.
    public var partition = "aws"

    public init(qualifier: String = defaultQualifier, account: String, region: String, stackName: String = defaultStackName) {
        self.qualifier = qualifier
        self.account = account
        self.region = region
        self.stackName = stackName
    }

    /// `[a-z0-9-]{1,10}`: it becomes part of bucket and role names.
    public static func isValidQualifier(_ q: String) -> Bool {
        (1...10).contains(q.count) && q.allSatisfy { ($0.isASCII && ($0.isLowercase || $0.isNumber)) || $0 == "-" }
    }

    public var stagingBucket: String { "tsdeploy-\(qualifier)-assets-\(account)-\(region)" }
    public var imageRepository: String { "tsdeploy-\(qualifier)-container-assets-\(account)-\(region)" }
    public var deployRole: String { "tsdeploy-\(qualifier)-deploy-role-\(account)-\(region)" }
    public var executionRole: String { "tsdeploy-\(qualifier)-cfn-exec-role-\(account)-\(region)" }
    public var executionRoleArn: String { "arn:\(partition):iam::\(account):role/\(executionRole)" }
    public var versionParameter: String { "/tsdeploy-bootstrap/\(qualifier)/version" }
}
