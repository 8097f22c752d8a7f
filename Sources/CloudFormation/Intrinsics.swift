/// CloudFormation intrinsic functions as value builders.
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/intrinsic-function-reference.html
public enum Fn {
    public static func ref(_ logicalId: String) -> TemplateValue { ["Ref": .string(logicalId)] }
    public static func getAtt(_ logicalId: String, _ attribute: String) -> TemplateValue {
        ["Fn::GetAtt": [.string(logicalId), .string(attribute)]]
    }
    public static func sub(_ template: String) -> TemplateValue { ["Fn::Sub": .string(template)] }
    public static func sub(_ template: String, _ variables: OrderedObject) -> TemplateValue {
        ["Fn::Sub": [.string(template), .object(variables)]]
    }
    public static func join(_ delimiter: String, _ values: [TemplateValue]) -> TemplateValue {
        ["Fn::Join": [.string(delimiter), .array(values)]]
    }
    public static func select(_ index: Int, _ list: TemplateValue) -> TemplateValue {
        ["Fn::Select": [.int(index), list]]
    }
    public static func split(_ delimiter: String, _ source: TemplateValue) -> TemplateValue {
        ["Fn::Split": [.string(delimiter), source]]
    }
    public static func importValue(_ name: TemplateValue) -> TemplateValue { ["Fn::ImportValue": name] }
    public static func getAZs(_ region: TemplateValue = "") -> TemplateValue { ["Fn::GetAZs": region] }
    public static func base64(_ value: TemplateValue) -> TemplateValue { ["Fn::Base64": value] }
    public static func `if`(_ condition: String, _ then: TemplateValue, _ else: TemplateValue) -> TemplateValue {
        ["Fn::If": [.string(condition), then, `else`]]
    }
    public static func equals(_ a: TemplateValue, _ b: TemplateValue) -> TemplateValue { ["Fn::Equals": [a, b]] }
    public static func and(_ conditions: [TemplateValue]) -> TemplateValue { ["Fn::And": .array(conditions)] }
    public static func or(_ conditions: [TemplateValue]) -> TemplateValue { ["Fn::Or": .array(conditions)] }
    public static func not(_ condition: TemplateValue) -> TemplateValue { ["Fn::Not": [condition]] }
    public static func condition(_ name: String) -> TemplateValue { ["Condition": .string(name)] }
    /// `AWS::NoValue`: removes the property it stands in for (useful inside `Fn::If`).
    public static var noValue: TemplateValue { ref(Pseudo.noValue) }
}

/// Pseudo parameters, usable with `Fn.ref` or inside `Fn::Sub` as `${AWS::Region}`.
public enum Pseudo {
    public static let accountId = "AWS::AccountId"
    public static let region = "AWS::Region"
    public static let partition = "AWS::Partition"
    public static let urlSuffix = "AWS::URLSuffix"
    public static let stackName = "AWS::StackName"
    public static let stackId = "AWS::StackId"
    public static let notificationARNs = "AWS::NotificationARNs"
    public static let noValue = "AWS::NoValue"
}
