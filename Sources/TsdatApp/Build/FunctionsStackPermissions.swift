/// What CloudFormation calls, with the build's own credentials, to create, update, read and
/// delete each resource type of the PipelinesStack — the build deploys it without an
/// execution role, so its role must hold exactly these, on exactly its resources.
///
/// Source: the `handlers.{create,update,delete,read}.permissions` of the CloudFormation
/// registry schemas of these types (the published provider schemas; cfn-lint's copies have
/// the handlers stripped, so they are listed here by hand), filtered to the features the
/// stack uses. Left out, with the reason: VPC (`ec2:Describe*`), KMS keys (`kms:*`), layers,
/// code signing, Zip code (`s3:GetObject`), SnapStart, provisioned concurrency, dead-letter
/// configs, rule roles and alarm actions. docs/ci.md lists the result.
public enum FunctionsStackPermissions {
    public enum Scope: String, Sendable, CaseIterable {
        case functions, logGroups, rules, alarms, repository, lambdaRole
    }

    /// Per resource type: (scope, actions), the union of its handlers.
    public static let byType: [(type: String, grants: [(Scope, [String])])] = [
        ("AWS::Lambda::Function", [
            (.functions, ["lambda:CreateFunction", "lambda:DeleteFunction", "lambda:GetFunction", "lambda:GetFunctionCodeSigningConfig",
                          "lambda:GetFunctionRecursionConfig", "lambda:GetRuntimeManagementConfig", "lambda:ListTags",
                          "lambda:PutFunctionRecursionConfig", "lambda:TagResource", "lambda:UntagResource",
                          "lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:DeleteFunctionConcurrency"]),
            // Image functions: Lambda checks that the caller may read the image.
            (.repository, ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"]),
            (.lambdaRole, ["iam:PassRole"]),
        ]),
        ("AWS::Lambda::Permission", [
            (.functions, ["lambda:AddPermission", "lambda:GetPolicy", "lambda:RemovePermission"]),
        ]),
        ("AWS::Lambda::EventInvokeConfig", [
            (.functions, ["lambda:DeleteFunctionEventInvokeConfig", "lambda:GetFunctionEventInvokeConfig",
                          "lambda:PutFunctionEventInvokeConfig", "lambda:UpdateFunctionEventInvokeConfig"]),
        ]),
        ("AWS::Logs::LogGroup", [
            (.logGroups, ["logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:DeleteRetentionPolicy", "logs:DescribeLogGroups",
                          "logs:ListTagsForResource", "logs:ListTagsLogGroup", "logs:PutRetentionPolicy", "logs:TagLogGroup",
                          "logs:TagResource", "logs:UntagLogGroup", "logs:UntagResource"]),
        ]),
        ("AWS::Events::Rule", [
            (.rules, ["events:DeleteRule", "events:DescribeRule", "events:ListTagsForResource", "events:ListTargetsByRule",
                      "events:PutRule", "events:PutTargets", "events:RemoveTargets", "events:TagResource", "events:UntagResource"]),
        ]),
        ("AWS::CloudWatch::Alarm", [
            (.alarms, ["cloudwatch:DeleteAlarms", "cloudwatch:DescribeAlarms", "cloudwatch:ListTagsForResource",
                       "cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource"]),
        ]),
    ]

    /// Every action per scope, sorted and without repeats.
    public static func actions(for types: Set<String>) -> [(Scope, [String])] {
        Scope.allCases.compactMap { scope in
            let actions = Set(byType.filter { types.contains($0.type) }.flatMap { $0.grants.filter { $0.0 == scope }.flatMap(\.1) })
            return actions.isEmpty ? nil : (scope, actions.sorted())
        }
    }
}
