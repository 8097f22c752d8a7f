import CloudFormation
import ConstructCore

/// Something that can be given permissions: a role, or anything that runs as one.
public protocol Grantable: AnyObject {
    /// Adds the statement to the identity's own policy; returns false when it cannot
    /// (e.g. an imported role we do not own).
    @discardableResult func addToPrincipalPolicy(_ statement: PolicyStatement) -> Bool
    /// How resource policies name this identity.
    var grantPrincipal: Principal { get }
}

/// What a `grant…` call did, so callers and tests can see where permissions landed.
public struct Grant: Sendable {
    public let statements: [PolicyStatement]
    public let addedToPrincipal: Bool

    static func toPrincipal(_ grantee: Grantable, actions: [String], resources: [TemplateValue],
                            conditions: OrderedObject = OrderedObject()) -> Grant {
        let statement = PolicyStatement(actions: actions, resources: resources, conditions: conditions)
        return Grant(statements: [statement], addedToPrincipal: grantee.addToPrincipalPolicy(statement))
    }
}

/// Action lists, kept as data like aws-cdk's perms.ts.
public enum Actions {
    public static let bucketRead = ["s3:GetObject*", "s3:GetBucket*", "s3:List*"]
    public static let bucketWrite = [
        "s3:DeleteObject*", "s3:PutObject", "s3:PutObjectLegalHold", "s3:PutObjectRetention",
        "s3:PutObjectTagging", "s3:PutObjectVersionTagging", "s3:Abort*",
    ]
    public static let ecrPull = ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"]
    public static let ecrPush = [
        "ecr:CompleteLayerUpload", "ecr:UploadLayerPart", "ecr:InitiateLayerUpload", "ecr:PutImage",
        "ecr:DescribeImages", "ecr:DescribeRepositories",
    ]
    public static let logsWrite = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
}
