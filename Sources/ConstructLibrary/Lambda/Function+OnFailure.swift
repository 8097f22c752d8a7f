import CloudFormation
import ConstructCore

extension Function {
    /// Where Lambda sends an asynchronous invocation (EventBridge, S3, schedules) that still
    /// fails after `retries` retries, with the event and the error; without it the event is
    /// dropped after the retries and only the logs remember it. The function's role must be
    /// able to send to `destinationArn` (grant it where the queue lives).
    @discardableResult
    public func onFailure(destinationArn: TemplateValue, retries: Int = 2, maxEventAgeSeconds: Int = 21_600) -> CfnResource {
        precondition((0...2).contains(retries), "Lambda retries asynchronous invocations 0–2 times")
        precondition((60...21_600).contains(maxEventAgeSeconds), "an event may wait 60 s to 6 h")
        let config = CfnResource(self, "EventInvokeConfig", type: "AWS::Lambda::EventInvokeConfig", properties: [
            "DestinationConfig": ["OnFailure": ["Destination": destinationArn]],
            "FunctionName": functionName,
            "MaximumEventAgeInSeconds": .int(maxEventAgeSeconds),
            "MaximumRetryAttempts": .int(retries),
            "Qualifier": "$LATEST",
        ], tagFormat: .none)
        return config
    }
}
