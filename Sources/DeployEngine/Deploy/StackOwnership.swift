import AWSClient

/// Whether a deployed stack with our stack's name is ours to change. A name is not proof:
/// tsdat/aws-template's CDK stack has the name of our build stack, and its buckets carry
/// custom resources that empty them when they are deleted; and two branches whose names
/// differ only in separators (`a_b`, `a-b`) share stack names.
public enum StackOwnership {
    /// Checked before any change to `deployed` (update, delete) and before a diff.
    public static func check(_ stack: DeployableStack, deployed: CloudFormation.Stack, template: JSONValue?) throws {
        if let tool = foreignTool(template) {
            throw DeployError("\(stack.name) in aws://\(stack.account ?? "?")/\(stack.region ?? "?") was made by \(tool), not by tsdeploy; "
                              + "tsdeploy never updates or deletes such a stack in place (its buckets may hold years of data, and "
                              + "CDK's auto-delete resources empty them when they go)",
                              hint: "taking over an aws-template deployment needs a migration that keeps the data (`tsdeploy migrate` "
                                  + "is planned); until then leave the stack alone, or deploy under another pipelines_repo_name or branch")
        }
        guard let owner = stack.owner else { return }
        let tag = deployed.tags.first { $0.key == owner.key }
        guard let tag else {
            throw DeployError("\(stack.name) exists but has no \(owner.key) tag: tsdeploy did not deploy it for \(owner.description)",
                              hint: "if it is yours and holds nothing you need, delete it in the CloudFormation console; otherwise rename what derives the stack name")
        }
        guard tag.value == owner.value else {
            throw DeployError("\(stack.name) belongs to \(owner.key.hasSuffix("branch") ? "branch" : owner.key) '\(tag.value)', not '\(owner.value)': "
                              + "both derive the same stack name",
                              hint: "use a branch name that differs in letters or digits, not only in '-', '_', '.' or '/'")
        }
    }

    /// The tool a template's markers name, or nil for none we know.
    static func foreignTool(_ template: JSONValue?) -> String? {
        let resources = template?["Resources"]?.objectValue ?? [:]
        for (_, r) in resources {
            let type = r["Type"]?.stringValue ?? ""
            if type == "AWS::CDK::Metadata" || type.hasPrefix("Custom::CDK") || type == "Custom::S3AutoDeleteObjects"
                || type == "Custom::ECRAutoDeleteImages" || r["Metadata"]?["aws:cdk:path"] != nil {
                return "AWS CDK"
            }
        }
        if template?["Parameters"]?["BootstrapVersion"] != nil { return "AWS CDK" }
        return nil
    }
}
