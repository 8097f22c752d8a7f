import CloudFormation
import ConstructCore

public struct QueueProps {
    /// Fixed name (`[A-Za-z0-9_-]`, ≤ 80). Default: CloudFormation generates one.
    public var queueName: String?
    /// How long an unread message stays (60 s – 14 days). Default: the maximum, since a
    /// failure record is only useful if someone gets to read it.
    public var retentionSeconds = 1_209_600
    public var removalPolicy: RemovalPolicy = .delete

    public init(queueName: String? = nil) { self.queueName = queueName }
}

/// `AWS::SQS::Queue`, encrypted with SQS-managed keys and reachable only over TLS.
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-sqs-queue.html
public final class Queue: Construct {
    public private(set) var resource: CfnResource!
    public private(set) var policy: CfnResource!

    public init(_ scope: Construct, _ id: String, _ props: QueueProps = QueueProps()) {
        precondition((60...1_209_600).contains(props.retentionSeconds), "SQS retention must be 60 s to 14 days")
        super.init(scope, id)
        var p = OrderedObject()
        p["MessageRetentionPeriod"] = .int(props.retentionSeconds)
        p.set("QueueName", props.queueName.map(TemplateValue.string))
        p["SqsManagedSseEnabled"] = true
        resource = CfnResource(self, "Resource", type: "AWS::SQS::Queue", properties: p)
        resource.applyRemovalPolicy(props.removalPolicy)
        if let name = props.queueName {
            resource.physicalValues["QueueName"] = .string(name)
            resource.physicalValues["Arn"] = Fn.sub("arn:${AWS::Partition}:sqs:${AWS::Region}:${AWS::AccountId}:\(name)")
        }
        policy = CfnResource(self, "Policy", type: "AWS::SQS::QueuePolicy", properties: [
            "PolicyDocument": [
                "Statement": [[
                    "Sid": "DenyInsecureTransport", "Action": "sqs:*", "Effect": "Deny", "Principal": ["AWS": "*"],
                    "Condition": ["Bool": ["aws:SecureTransport": "false"]], "Resource": queueArn,
                ]],
                "Version": "2012-10-17",
            ],
            "Queues": [resource.ref],
        ], tagFormat: .none)
    }

    public var queueArn: TemplateValue { resource.physicalValues["Arn"] ?? resource.getAtt("Arn") }
    public var queueUrl: TemplateValue { resource.ref }
    public var queueName: TemplateValue { resource.physicalValues["QueueName"] ?? resource.getAtt("QueueName") }

    /// Lets `grantee` send messages to this queue and nothing else.
    public func grantSendMessages(_ grantee: Grantable) {
        grantee.addToPrincipalPolicy(PolicyStatement(actions: ["sqs:GetQueueAttributes", "sqs:GetQueueUrl", "sqs:SendMessage"],
                                                     resources: [queueArn]))
    }
}
