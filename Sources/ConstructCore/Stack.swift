import CloudFormation

/// Where a stack deploys. `nil` parts are resolved at deploy time from the credentials.
public struct Environment: Sendable, Hashable {
    public var account: String?
    public var region: String?
    public init(account: String? = nil, region: String? = nil) {
        self.account = account
        self.region = region
    }
    /// `aws://ACCOUNT/REGION`, with `unknown-account`/`unknown-region` like CDK.
    public var uri: String { "aws://\(account ?? "unknown-account")/\(region ?? "unknown-region")" }
}

/// A deployable unit: one template, one CloudFormation stack.
open class Stack: Construct {
    public let stackName: String
    public let environment: Environment
    public var templateDescription: String?
    /// Applied to every taggable resource and passed to CloudFormation as stack tags.
    public var tags: [String: String] = [:]
    public var terminationProtection = false
    public private(set) var explicitDependencies: [Stack] = []
    public private(set) var parameters: [Parameter] = []
    public private(set) var outputs: [Output] = []
    /// Facts for the deploy engine that CloudFormation cannot express, keyed by construct path
    /// (e.g. "enable EventBridge notifications on this existing bucket").
    public private(set) var engineMetadata: [MetadataEntry] = []

    public init(_ app: App, _ id: String, stackName: String? = nil, env: Environment = Environment()) {
        self.stackName = stackName ?? id
        self.environment = env
        super.init(app, id)
    }

    public func addDependency(_ other: Stack) {
        precondition(other !== self, "a stack cannot depend on itself")
        if !explicitDependencies.contains(where: { $0 === other }) { explicitDependencies.append(other) }
    }

    /// Declares a template parameter and returns a `Ref` to it.
    @discardableResult
    public func addParameter(_ parameter: Parameter) -> TemplateValue {
        parameters.removeAll { $0.logicalId == parameter.logicalId }
        parameters.append(parameter)
        return Fn.ref(parameter.logicalId)
    }

    public func addOutput(_ output: Output) {
        outputs.removeAll { $0.logicalId == output.logicalId }
        outputs.append(output)
    }

    public func addEngineMetadata(_ type: String, _ data: TemplateValue, at construct: Construct) {
        engineMetadata.append(MetadataEntry(path: "/" + construct.path, type: type, data: data))
    }

    /// The resources that belong to this stack (not to a nested stack), in creation order.
    public var resources: [CfnResource] {
        var out: [CfnResource] = []
        func walk(_ node: Construct) {
            for child in node.children where !(child is Stack) {
                if let r = child as? CfnResource { out.append(r) }
                walk(child)
            }
        }
        walk(self)
        return out
    }

    public static let namePattern = "[A-Za-z][-A-Za-z0-9]*"

    public static func isValidName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, name.count <= 128,
              ("a"..."z").contains(first) || ("A"..."Z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
        }
    }
}

public struct MetadataEntry: Sendable, Hashable {
    public var path: String
    public var type: String
    public var data: TemplateValue
}
