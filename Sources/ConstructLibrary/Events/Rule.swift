import CloudFormation
import ConstructCore

/// `AWS::Events::Rule` on the default bus, by schedule or by event pattern.
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-events-rule.html
public final class Rule: Construct {
    public enum Trigger {
        /// `cron(…)` or `rate(…)`, in UTC.
        case schedule(String)
        case eventPattern(OrderedObject)
    }

    public private(set) var resource: CfnResource!
    private var targets: [TemplateValue] = []

    /// - Parameter ruleName: fixed name (`[.-_A-Za-z0-9]`, ≤ 64). Default: generated.
    public init(_ scope: Construct, _ id: String, trigger: Trigger, ruleName: String? = nil,
                description: String? = nil, enabled: Bool = true) {
        super.init(scope, id)
        var p = OrderedObject()
        p.set("Description", description.map(TemplateValue.string))
        switch trigger {
        case .schedule(let expression): p["ScheduleExpression"] = .string(expression)
        case .eventPattern(let pattern): p["EventPattern"] = .object(pattern)
        }
        p.set("Name", ruleName.map(TemplateValue.string))
        p["State"] = enabled ? "ENABLED" : "DISABLED"
        resource = CfnResource(self, "Resource", type: "AWS::Events::Rule", properties: p)
        if let name = ruleName {
            resource.physicalValues["Arn"] = Fn.sub("arn:${AWS::Partition}:events:${AWS::Region}:${AWS::AccountId}:rule/\(name)")
        }
    }

    public var ruleArn: TemplateValue { resource.getAtt("Arn") }

    /// Invokes `function` on every matching event, with the permission for EventBridge to do so.
    public func addTarget(_ function: Function) {
        targets.append(["Arn": function.functionArn, "Id": .string("Target\(targets.count)")])
        function.grantInvoke(service: "events.amazonaws.com", sourceArn: ruleArn)
    }

    public override func prepare() {
        if !targets.isEmpty { resource.cfnProperties["Targets"] = .array(targets) }
    }
}
