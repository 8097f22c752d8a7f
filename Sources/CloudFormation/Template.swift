/// One CloudFormation template. Sections render in the conventional order:
/// AWSTemplateFormatVersion, Description, Metadata, Parameters, Mappings, Conditions,
/// Resources, Outputs — so output is stable and reads like hand-written templates.
public struct Template: Sendable, Hashable {
    public var description: String?
    public var metadata = OrderedObject()
    public var parameters: [String: Parameter] = [:]
    public var parameterOrder: [String] = []
    public var mappings = OrderedObject()
    public var conditions = OrderedObject()
    public var resources: [Resource] = []
    public var outputs: [Output] = []

    public init(description: String? = nil) { self.description = description }

    public mutating func addParameter(_ parameter: Parameter) {
        if parameters.updateValue(parameter, forKey: parameter.logicalId) == nil {
            parameterOrder.append(parameter.logicalId)
        }
    }

    public func resource(_ logicalId: String) -> Resource? { resources.first { $0.logicalId == logicalId } }

    /// The template as an ordered value. Fails on unresolved references: those must be
    /// resolved by the construct core first.
    public func render() -> TemplateValue {
        var root = OrderedObject()
        root["AWSTemplateFormatVersion"] = "2010-09-09"
        root.set("Description", description.map(TemplateValue.string))
        if !metadata.isEmpty { root["Metadata"] = .object(metadata) }
        if !parameterOrder.isEmpty {
            root["Parameters"] = .object(OrderedObject(parameterOrder.map { ($0, parameters[$0]!.render()) }))
        }
        if !mappings.isEmpty { root["Mappings"] = .object(mappings) }
        if !conditions.isEmpty { root["Conditions"] = .object(conditions) }
        root["Resources"] = .object(OrderedObject(resources.map { ($0.logicalId, $0.render()) }))
        if !outputs.isEmpty {
            root["Outputs"] = .object(OrderedObject(outputs.map { ($0.logicalId, $0.render()) }))
        }
        return .object(root)
    }
}

public enum RemovalPolicy: String, Sendable, Hashable {
    case delete = "Delete", retain = "Retain", snapshot = "Snapshot", retainExceptOnCreate = "RetainExceptOnCreate"
}

public struct Resource: Sendable, Hashable {
    public var logicalId: String
    public var type: String
    public var properties: OrderedObject
    public var dependsOn: [String] = []
    public var condition: String?
    public var deletionPolicy: RemovalPolicy?
    public var updateReplacePolicy: RemovalPolicy?
    public var metadata = OrderedObject()

    public init(logicalId: String, type: String, properties: OrderedObject = OrderedObject()) {
        self.logicalId = logicalId
        self.type = type
        self.properties = properties
    }

    public func render() -> TemplateValue {
        var o = OrderedObject()
        o["Type"] = .string(type)
        if !properties.isEmpty { o["Properties"] = .object(properties) }
        if !dependsOn.isEmpty { o["DependsOn"] = .array(dependsOn.map(TemplateValue.string)) }
        o.set("Condition", condition.map(TemplateValue.string))
        o.set("UpdateReplacePolicy", updateReplacePolicy.map { .string($0.rawValue) })
        o.set("DeletionPolicy", deletionPolicy.map { .string($0.rawValue) })
        if !metadata.isEmpty { o["Metadata"] = .object(metadata) }
        return .object(o)
    }
}

public struct Parameter: Sendable, Hashable {
    public var logicalId: String
    public var type: String
    public var description: String?
    public var defaultValue: TemplateValue?
    public var allowedPattern: String?
    public var allowedValues: [String]?
    public var constraintDescription: String?
    public var noEcho = false

    public init(logicalId: String, type: String = "String", description: String? = nil, defaultValue: TemplateValue? = nil) {
        self.logicalId = logicalId
        self.type = type
        self.description = description
        self.defaultValue = defaultValue
    }

    public func render() -> TemplateValue {
        var o = OrderedObject()
        o["Type"] = .string(type)
        o.set("Description", description.map(TemplateValue.string))
        o.set("Default", defaultValue)
        o.set("AllowedPattern", allowedPattern.map(TemplateValue.string))
        o.set("AllowedValues", allowedValues.map { .array($0.map(TemplateValue.string)) })
        o.set("ConstraintDescription", constraintDescription.map(TemplateValue.string))
        if noEcho { o["NoEcho"] = true }
        return .object(o)
    }
}

public struct Output: Sendable, Hashable {
    public var logicalId: String
    public var value: TemplateValue
    public var description: String?
    public var exportName: TemplateValue?
    public var condition: String?

    public init(logicalId: String, value: TemplateValue, description: String? = nil, exportName: TemplateValue? = nil) {
        self.logicalId = logicalId
        self.value = value
        self.description = description
        self.exportName = exportName
    }

    public func render() -> TemplateValue {
        var o = OrderedObject()
        o.set("Description", description.map(TemplateValue.string))
        o["Value"] = value
        o.set("Export", exportName.map { ["Name": $0] })
        o.set("Condition", condition.map(TemplateValue.string))
        return .object(o)
    }
}
