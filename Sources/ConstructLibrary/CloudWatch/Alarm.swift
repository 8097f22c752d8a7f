import CloudFormation
import ConstructCore

public struct AlarmProps {
    public var alarmName: String?
    public var description: String?
    public var namespace: String
    public var metricName: String
    public var dimensions: [(String, TemplateValue)]
    public var statistic = "Sum"
    public var periodSeconds = 300
    public var evaluationPeriods = 1
    public var threshold = 1.0
    public var comparison = "GreaterThanOrEqualToThreshold"
    /// No data (no invocations) is not a failure.
    public var treatMissingData = "notBreaching"

    public init(namespace: String, metricName: String, dimensions: [(String, TemplateValue)]) {
        self.namespace = namespace
        self.metricName = metricName
        self.dimensions = dimensions
    }
}

/// `AWS::CloudWatch::Alarm` on one metric.
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-cloudwatch-alarm.html
public final class Alarm: Construct {
    public private(set) var resource: CfnResource!

    public init(_ scope: Construct, _ id: String, _ props: AlarmProps) {
        super.init(scope, id)
        var p = OrderedObject()
        p.set("AlarmDescription", props.description.map(TemplateValue.string))
        p.set("AlarmName", props.alarmName.map(TemplateValue.string))
        p["ComparisonOperator"] = .string(props.comparison)
        p["Dimensions"] = .array(props.dimensions.map { ["Name": .string($0.0), "Value": $0.1] })
        p["EvaluationPeriods"] = .int(props.evaluationPeriods)
        p["MetricName"] = .string(props.metricName)
        p["Namespace"] = .string(props.namespace)
        p["Period"] = .int(props.periodSeconds)
        p["Statistic"] = .string(props.statistic)
        p["Threshold"] = .double(props.threshold)
        p["TreatMissingData"] = .string(props.treatMissingData)
        resource = CfnResource(self, "Resource", type: "AWS::CloudWatch::Alarm", properties: p)
        if let name = props.alarmName {
            resource.physicalValues["Ref"] = .string(name)
            resource.physicalValues["Arn"] = Fn.sub("arn:${AWS::Partition}:cloudwatch:${AWS::Region}:${AWS::AccountId}:alarm:\(name)")
        }
    }

    public var alarmArn: TemplateValue { resource.physicalValues["Arn"] ?? resource.getAtt("Arn") }
}
