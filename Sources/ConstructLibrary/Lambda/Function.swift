import CloudFormation
import ConstructCore

public struct FunctionProps {
    /// Image URI (`ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPO:TAG` or `…@sha256:…`).
    public var imageUri: TemplateValue
    /// Execution role. Default: a new role with AWSLambdaBasicExecutionRole.
    public var role: Role?
    /// Fixed name (`[A-Za-z0-9-_]`, ≤ 64). Default: CloudFormation generates one.
    public var functionName: String?
    public var timeoutSeconds = 120
    public var memorySize = 1024
    public var environment = OrderedObject()
    /// Where the function logs; also made a dependency so it exists first. Default: Lambda's own.
    public var logGroup: LogGroup?
    public var architecture = "x86_64"
    public var description: String?

    public init(imageUri: TemplateValue, role: Role? = nil, functionName: String? = nil) {
        self.imageUri = imageUri
        self.role = role
        self.functionName = functionName
    }
}

/// `AWS::Lambda::Function` from a container image.
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-lambda-function.html
public final class Function: Construct {
    public private(set) var resource: CfnResource!
    public private(set) var role: Role!
    private var permissionCount = 0

    public init(_ scope: Construct, _ id: String, _ props: FunctionProps) {
        precondition((1...900).contains(props.timeoutSeconds), "Lambda timeout must be 1–900 s")
        precondition((128...10240).contains(props.memorySize), "Lambda memory must be 128–10240 MB")
        let role = props.role
        super.init(scope, id)
        self.role = role ?? Role(self, "ServiceRole", RoleProps(
            assumedBy: "lambda.amazonaws.com", managedPolicies: ["service-role/AWSLambdaBasicExecutionRole"]))
        var p = OrderedObject()
        p["Code"] = ["ImageUri": props.imageUri]
        p.set("Description", props.description.map(TemplateValue.string))
        p.set("FunctionName", props.functionName.map(TemplateValue.string))
        p["Role"] = self.role.roleArn
        p["Architectures"] = [.string(props.architecture)]
        if !props.environment.isEmpty { p["Environment"] = ["Variables": .object(props.environment)] }
        if let group = props.logGroup { p["LoggingConfig"] = ["LogGroup": group.logGroupName] }
        p["MemorySize"] = .int(props.memorySize)
        p["PackageType"] = "Image"
        p["Timeout"] = .int(props.timeoutSeconds)
        resource = CfnResource(self, "Resource", type: "AWS::Lambda::Function", properties: p)
        if let group = props.logGroup { resource.addDependency(group.resource) }
        if let name = props.functionName {
            resource.physicalValues = [
                "Ref": .string(name),
                "Arn": Fn.sub("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:\(name)"),
            ]
        }
    }

    public var functionArn: TemplateValue { resource.getAtt("Arn") }
    public var functionName: TemplateValue { resource.ref }

    /// Lets `service` invoke the function for events from `sourceArn` only.
    @discardableResult
    public func grantInvoke(service: String, sourceArn: TemplateValue, sourceAccount: TemplateValue? = nil) -> CfnResource {
        permissionCount += 1
        var p: OrderedObject = ["Action": "lambda:InvokeFunction", "FunctionName": functionArn,
                                "Principal": .string(service)]
        p.set("SourceAccount", sourceAccount)
        p["SourceArn"] = sourceArn
        let id = permissionCount == 1 ? "InvokePermission" : "InvokePermission\(permissionCount)"
        return CfnResource(self, id, type: "AWS::Lambda::Permission", properties: p, tagFormat: .none)
    }

    public override func prepare() {
        // Permissions granted to the role must exist before the function runs.
        for policy in role.policyResources() where policy.stack === stack { resource.addDependency(policy) }
        resource.addDependency(role.resource)
    }
}
