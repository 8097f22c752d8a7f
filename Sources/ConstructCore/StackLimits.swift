import CloudFormation

/// CloudFormation's per-stack quotas, checked at synthesis: a stack over one fails at
/// deploy time after minutes (or, for the template size, on upload), so synth refuses it and
/// says what adds most.
public enum StackLimits {
    public static let resources = 500
    public static let parameters = 200
    public static let outputs = 200
    public static let mappings = 200
    /// Through S3 (TemplateURL); inline bodies are limited to 51,200 bytes, which the engine
    /// handles by uploading.
    public static let templateBytes = 1_048_576

    public struct Violation: Sendable, CustomStringConvertible {
        public var stack: String
        public var what: String
        public var count: Int
        public var limit: Int
        public var top: [(path: String, count: Int)]
        public var description: String {
            "stack \(stack) has \(count) \(what); CloudFormation allows \(limit)"
                + (top.isEmpty ? "" : ". Most come from: " + top.map { "\($0.path) (\($0.count))" }.joined(separator: ", "))
        }
    }

    /// Violations of one synthesized stack. `bytes` is the size of its rendered template.
    public static func violations(_ artifact: StackArtifact, bytes: Int) -> [Violation] {
        let t = artifact.template
        var out: [Violation] = []
        if t.resources.count > resources {
            out.append(Violation(stack: artifact.stackName, what: "resources", count: t.resources.count, limit: resources,
                                 top: contributors(artifact)))
        }
        if t.parameters.count > parameters {
            out.append(Violation(stack: artifact.stackName, what: "parameters", count: t.parameters.count, limit: parameters, top: []))
        }
        if t.outputs.count > outputs {
            out.append(Violation(stack: artifact.stackName, what: "outputs", count: t.outputs.count, limit: outputs, top: []))
        }
        if t.mappings.count > mappings {
            out.append(Violation(stack: artifact.stackName, what: "mappings", count: t.mappings.count, limit: mappings, top: []))
        }
        if bytes > templateBytes {
            out.append(Violation(stack: artifact.stackName, what: "bytes of template", count: bytes, limit: templateBytes,
                                 top: contributors(artifact)))
        }
        return out
    }

    /// The stack's direct children holding the most resources.
    static func contributors(_ artifact: StackArtifact) -> [(path: String, count: Int)] {
        var counts: [String: Int] = [:]
        for (path, _) in artifact.logicalIds {
            let parts = path.split(separator: "/")
            counts[parts.prefix(2).joined(separator: "/"), default: 0] += 1
        }
        return counts.sorted { ($0.value, $1.key) > ($1.value, $0.key) }.prefix(3).map { ($0.key, $0.value) }
    }
}
