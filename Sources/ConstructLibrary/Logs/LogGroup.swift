import CloudFormation
import ConstructCore

/// `AWS::Logs::LogGroup` with a retention, so logs do not grow forever.
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-logs-loggroup.html
public final class LogGroup: Construct {
    /// The values CloudWatch Logs accepts for `RetentionInDays`.
    public static let allowedRetentionDays = [
        1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
    ]

    public private(set) var resource: CfnResource!

    /// - Parameters:
    ///   - logGroupName: fixed name, e.g. `/aws/lambda/NAME` to own a function's default group.
    ///   - retentionDays: one of `allowedRetentionDays`.
    ///   - removalPolicy: default `.delete`: logs go with the stack that made them.
    public init(_ scope: Construct, _ id: String, logGroupName: String? = nil, retentionDays: Int = 90,
                removalPolicy: RemovalPolicy = .delete) {
        precondition(Self.allowedRetentionDays.contains(retentionDays), "retention \(retentionDays) is not allowed")
        super.init(scope, id)
        var p = OrderedObject()
        p.set("LogGroupName", logGroupName.map(TemplateValue.string))
        p["RetentionInDays"] = .int(retentionDays)
        resource = CfnResource(self, "Resource", type: "AWS::Logs::LogGroup", properties: p)
        resource.applyRemovalPolicy(removalPolicy)
        if let name = logGroupName { resource.physicalValues["Ref"] = .string(name) }
    }

    public var logGroupName: TemplateValue { resource.ref }
    public var logGroupArn: TemplateValue { resource.getAtt("Arn") }
}
