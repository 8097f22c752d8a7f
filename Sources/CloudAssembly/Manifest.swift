import CloudFormation
import ConstructCore

/// The `manifest.json` of a cloud assembly, in the shape the CDK CLI reads
/// (schema version 36): one `aws:cloudformation:stack` artifact per stack.
public enum Manifest {
    public static let schemaVersion = "36.0.0"

    public static func render(_ artifacts: [StackArtifact]) -> TemplateValue {
        var all = OrderedObject()
        for a in artifacts { all[a.stackName] = artifact(a) }
        return ["version": .string(schemaVersion), "artifacts": .object(all)]
    }

    static func artifact(_ a: StackArtifact) -> TemplateValue {
        var properties: OrderedObject = ["templateFile": .string(templateFileName(a.stackName))]
        if !a.tags.isEmpty {
            properties["tags"] = .object(OrderedObject(a.tags.keys.sorted().map { ($0, .string(a.tags[$0]!)) }))
        }
        properties["stackName"] = .string(a.stackName)
        if a.terminationProtection { properties["terminationProtection"] = true }
        properties["validateOnSynth"] = false

        var metadata = OrderedObject()
        func add(_ path: String, _ entry: TemplateValue) {
            metadata[path] = .array((metadata[path]?.arrayValue ?? []) + [entry])
        }
        for (path, id) in a.logicalIds { add(path, ["type": "aws:cdk:logicalId", "data": .string(id)]) }
        for e in a.engineMetadata { add(e.path, ["type": .string(e.type), "data": e.data]) }
        if !a.parameterSources.isEmpty {
            add("/" + a.displayName, [
                "type": "tsdeploy:parameter-sources",
                "data": .array(a.parameterSources.map {
                    ["parameter": .string($0.parameter), "stack": .string($0.stack), "output": .string($0.output)]
                }),
            ])
        }

        var o: OrderedObject = [
            "type": "aws:cloudformation:stack",
            "environment": .string(a.environment.uri),
            "properties": .object(properties),
        ]
        if !a.dependencies.isEmpty { o["dependencies"] = .array(a.dependencies.map(TemplateValue.string)) }
        if !metadata.isEmpty { o["metadata"] = .object(metadata) }
        o["displayName"] = .string(a.displayName)
        return .object(o)
    }

    public static func templateFileName(_ stackName: String) -> String { "\(stackName).template.json" }
}
