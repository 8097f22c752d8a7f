import CloudFormation

/// How a resource type takes tags, so stack-wide tags land in the right shape.
public enum TagFormat: Sendable {
    /// `Tags: [{Key, Value}]`, the common case.
    case keyValueList
    /// `Tags: {key: value}` (e.g. SSM parameters).
    case map
    /// The type has no `Tags` property.
    case none
}

/// A CloudFormation resource in the tree (an L1). Higher-level constructs create one of
/// these with the id `Resource`, which keeps it out of the readable part of the logical ID.
///
/// Members are prefixed `cfn` so that typed subclasses never collide with them.
open class CfnResource: Construct {
    public let cfnType: String
    public var cfnProperties: OrderedObject
    public var cfnDeletionPolicy: RemovalPolicy?
    public var cfnUpdateReplacePolicy: RemovalPolicy?
    public var cfnCondition: String?
    public var cfnMetadata = OrderedObject()
    public var cfnTagFormat: TagFormat
    public private(set) var cfnDependencies: [CfnResource] = []
    /// Replaces the path-derived logical ID, e.g. to adopt a resource from another template.
    public var overrideLogicalId: String?
    /// Values of `Ref` (key `"Ref"`) or of attributes that are known without deploying,
    /// because the resource has a deterministic physical name. Another stack that refers
    /// to them gets the value itself instead of a cross-stack wiring.
    public var physicalValues: [String: TemplateValue] = [:]

    public init(_ scope: Construct, _ id: String, type: String, properties: OrderedObject = OrderedObject(),
                tagFormat: TagFormat = .keyValueList) {
        self.cfnType = type
        self.cfnProperties = properties
        self.cfnTagFormat = tagFormat
        super.init(scope, id)
    }

    /// `Ref` of this resource.
    public var ref: TemplateValue { .reference(Reference(targetPath: path)) }

    /// `Fn::GetAtt` of this resource.
    public func getAtt(_ attribute: String) -> TemplateValue {
        .reference(Reference(targetPath: path, attribute: attribute))
    }

    public func addDependency(_ other: CfnResource) {
        if !cfnDependencies.contains(where: { $0 === other }) { cfnDependencies.append(other) }
    }

    /// Both removal policies at once, which is what one almost always wants.
    public func applyRemovalPolicy(_ policy: RemovalPolicy) {
        cfnDeletionPolicy = policy
        cfnUpdateReplacePolicy = policy == .retainExceptOnCreate ? .retain : policy
    }

    /// Derived from the path below the stack, so it is stable as long as the tree is.
    public var logicalId: String {
        if let overrideLogicalId { return overrideLogicalId }
        if let computedLogicalId { return computedLogicalId }
        // A construct's path never changes once made, so neither does its ID; synthesis asks
        // for it many times (references, dependencies, metadata).
        let id = LogicalId.make(Array(pathComponents.dropFirst(stack.pathComponents.count)))
        computedLogicalId = id
        return id
    }
    private var computedLogicalId: String?
}
