/// What the layer needs to know of a service to address and sign it.
public struct AWSService: Sendable, Hashable {
    /// The service id as in botocore's models ("CloudFormation").
    public var id: String
    /// The SigV4 signing name (`ecr`, not `api.ecr`).
    public var signingName: String
    /// The first labels of the built-in host (`api.ecr` → `api.ecr.<region>.amazonaws.com`).
    public var hostPrefix: String

    /// `AWS_ENDPOINT_URL_<SERVICE>`: the id upper-cased, spaces and hyphens as `_`.
    public var environmentKey: String {
        "AWS_ENDPOINT_URL_" + id.uppercased().map { $0 == " " || $0 == "-" ? "_" : $0 }.map(String.init).joined()
    }
    /// The key in a `[services …]` section: the id lower-cased, spaces and hyphens as `_`.
    public var configKey: String {
        id.lowercased().map { $0 == " " || $0 == "-" ? "_" : $0 }.map(String.init).joined()
    }

    public static let cloudFormation = AWSService(id: "CloudFormation", signingName: "cloudformation", hostPrefix: "cloudformation")
    public static let s3 = AWSService(id: "S3", signingName: "s3", hostPrefix: "s3")
    public static let sts = AWSService(id: "STS", signingName: "sts", hostPrefix: "sts")
    public static let ssm = AWSService(id: "SSM", signingName: "ssm", hostPrefix: "ssm")
    public static let ecr = AWSService(id: "ECR", signingName: "ecr", hostPrefix: "api.ecr")
    public static let logs = AWSService(id: "CloudWatch Logs", signingName: "logs", hostPrefix: "logs")
    public static let lambda = AWSService(id: "Lambda", signingName: "lambda", hostPrefix: "lambda")
    public static let events = AWSService(id: "EventBridge", signingName: "events", hostPrefix: "events")
    public static let iam = AWSService(id: "IAM", signingName: "iam", hostPrefix: "iam")
    public static let sso = AWSService(id: "SSO", signingName: "awsssoportal", hostPrefix: "portal.sso")
    public static let ssoOIDC = AWSService(id: "SSO OIDC", signingName: "sso-oauth", hostPrefix: "oidc")
}
