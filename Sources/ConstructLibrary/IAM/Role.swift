import CloudFormation
import ConstructCore

public struct RoleProps {
    /// The service that assumes the role, e.g. `lambda.amazonaws.com`.
    public var assumedBy: String
    /// A fixed name. Needed when other stacks or build scripts must know the ARN before
    /// deploying; requires `CAPABILITY_NAMED_IAM`. Default: CloudFormation generates one.
    public var roleName: String?
    /// AWS managed policies by name below `arn:${AWS::Partition}:iam::aws:policy/`.
    public var managedPolicies: [String] = []
    /// Full ARNs of managed policies (customer-managed or AWS-managed).
    public var managedPolicyArns: [String] = []
    /// Accounts (12 digits) whose principals may assume the role, besides `assumedBy`.
    public var trustedAccounts: [String] = []
    public var description: String?

    /// `assumedBy` empty: only `trustedAccounts` may assume the role.
    public init(assumedBy: String, roleName: String? = nil, managedPolicies: [String] = [], description: String? = nil) {
        self.assumedBy = assumedBy
        self.roleName = roleName
        self.managedPolicies = managedPolicies
        self.description = description
    }
}

/// `AWS::IAM::Role` with a default inline policy (`AWS::IAM::Policy`) that grants fill.
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-iam-role.html
public final class Role: Construct, Grantable {
    public private(set) var resource: CfnResource!
    public let props: RoleProps
    private var statements: [PolicyStatement] = []
    /// The inline policy grants land in; created by the first grant.
    public private(set) var defaultPolicy: CfnResource?
    /// Managed policies holding the statements past IAM's limit on a role's inline policies.
    public private(set) var overflowPolicies: [CfnResource] = []
    private var inlineStatements: [PolicyStatement]?

    public init(_ scope: Construct, _ id: String, _ props: RoleProps) {
        self.props = props
        super.init(scope, id)
        resource = CfnResource(self, "Resource", type: "AWS::IAM::Role")
        var p = OrderedObject()
        var trust: [PolicyStatement] = []
        if !props.assumedBy.isEmpty {
            trust.append(PolicyStatement(actions: ["sts:AssumeRole"], principals: [.service(props.assumedBy)]))
        }
        if !props.trustedAccounts.isEmpty {
            trust.append(PolicyStatement(actions: ["sts:AssumeRole"],
                                         principals: props.trustedAccounts.map { .aws(Fn.sub("arn:${AWS::Partition}:iam::\($0):root")) }))
        }
        p["AssumeRolePolicyDocument"] = PolicyDocument(trust).render()
        p.set("Description", props.description.map(TemplateValue.string))
        let managed = props.managedPolicies.map { Fn.sub("arn:${AWS::Partition}:iam::aws:policy/\($0)") }
            + props.managedPolicyArns.map(TemplateValue.string)
        if !managed.isEmpty { p["ManagedPolicyArns"] = .array(managed) }
        p.set("RoleName", props.roleName.map(TemplateValue.string))
        resource.cfnProperties = p
        if let name = props.roleName {
            resource.physicalValues = [
                "Ref": .string(name),
                "Arn": Fn.sub("arn:${AWS::Partition}:iam::${AWS::AccountId}:role/\(name)"),
            ]
        }
    }

    public var roleArn: TemplateValue { resource.getAtt("Arn") }
    public var roleName: TemplateValue { resource.ref }
    public var grantPrincipal: Principal { .aws(roleArn) }

    @discardableResult
    public func addToPrincipalPolicy(_ statement: PolicyStatement) -> Bool {
        if !statements.contains(statement) { statements.append(statement) }
        if defaultPolicy == nil {
            defaultPolicy = CfnResource(self, "DefaultPolicy", type: "AWS::IAM::Policy", tagFormat: .none)
        }
        return true
    }

    /// Lets `grantee` hand this role to `service` (e.g. a build that creates functions).
    @discardableResult
    public func grantPassRole(_ grantee: Grantable, toService service: String) -> Grant {
        Grant.toPrincipal(grantee, actions: ["iam:PassRole"], resources: [roleArn],
                          conditions: ["StringEquals": ["iam:PassedToService": .string(service)]])
    }

    /// Every resource holding this role's grants: what must exist before the role is used.
    /// The split is made once, when first asked (at synthesis, after every grant).
    public func policyResources() -> [CfnResource] {
        splitIfNeeded()
        return [defaultPolicy].compactMap { $0 } + overflowPolicies
    }

    /// IAM allows 10,240 characters of inline policy per role and 6,144 per managed policy
    /// (whitespace not counted). Statements that do not fit inline go, in order, into managed
    /// policies (AWS::IAM::ManagedPolicy, up to 10 per role by default); a statement too big
    /// for one is cut into statements over fewer resources. Measured on the template's JSON,
    /// which is longer than what IAM counts (`${AWS::Partition}` becomes `aws`).
    private func splitIfNeeded() {
        guard inlineStatements == nil, defaultPolicy != nil else { return }
        let pieces = statements.flatMap { PolicySize.split($0, limit: PolicySize.managedBudget - PolicySize.documentOverhead) }
        var inline: [PolicyStatement] = [], overflow: [[PolicyStatement]] = []
        var inlineSize = PolicySize.documentOverhead, lastSize = 0
        for statement in pieces {
            let size = PolicySize.size(statement) + 1
            if overflow.isEmpty && inlineSize + size <= PolicySize.inlineBudget {
                inline.append(statement)
                inlineSize += size
            } else if let last = overflow.indices.last, lastSize + size <= PolicySize.managedBudget {
                overflow[last].append(statement)
                lastSize += size
            } else {
                overflow.append([statement])
                lastSize = PolicySize.documentOverhead + size
            }
        }
        inlineStatements = inline
        for (i, group) in overflow.enumerated() {
            overflowPolicies.append(CfnResource(self, "OverflowPolicy\(i + 1)", type: "AWS::IAM::ManagedPolicy", properties: [
                "Description": .string("Grants of \(path) beyond the inline policy's size limit (\(i + 1) of \(overflow.count))"),
                "PolicyDocument": PolicyDocument(group).render(),
                "Roles": [roleName],
            ], tagFormat: .none))
        }
        if overflowPolicies.count > PolicySize.managedPerRole {
            app.warn("this role needs \(overflowPolicies.count) managed policies for its grants; IAM attaches \(PolicySize.managedPerRole) per role "
                                 + "unless the account's quota is raised (up to 20)", at: self)
        }
    }

    public override func prepare() {
        guard let policy = defaultPolicy else { return }
        splitIfNeeded()
        policy.cfnProperties = [
            "PolicyDocument": PolicyDocument(inlineStatements ?? statements).render(),
            "PolicyName": .string(policy.logicalId),
            "Roles": [roleName],
        ]
    }
}
