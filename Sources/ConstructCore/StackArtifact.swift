import CloudFormation

/// A synthesized stack: its template and what the deploy engine needs around it.
public struct StackArtifact: Sendable {
    /// A consumer parameter whose value is a producer stack's output (see CrossStackWiring).
    public struct ParameterSource: Sendable, Hashable {
        public var parameter: String
        public var stack: String
        public var output: String
        public init(parameter: String, stack: String, output: String) {
            self.parameter = parameter
            self.stack = stack
            self.output = output
        }
    }

    public var stackName: String
    /// The construct path of the stack.
    public var displayName: String
    public var environment: Environment
    public var template: Template
    /// Names of the stacks that must deploy first.
    public var dependencies: [String]
    public var tags: [String: String]
    public var terminationProtection: Bool
    /// Construct path → logical ID, for diffs and error messages that name constructs.
    public var logicalIds: [(path: String, logicalId: String)]
    public var engineMetadata: [MetadataEntry]
    public var parameterSources: [ParameterSource]

    static func checkForCycles(_ artifacts: [StackArtifact]) throws {
        let deps = Dictionary(uniqueKeysWithValues: artifacts.map { ($0.stackName, $0.dependencies) })
        var state: [String: Int] = [:]  // 1 visiting, 2 done
        func visit(_ name: String, _ trail: [String]) throws {
            if state[name] == 2 { return }
            if state[name] == 1 {
                throw SynthesisError("stacks depend on each other in a cycle: \((trail + [name]).joined(separator: " → "))")
            }
            state[name] = 1
            for d in deps[name] ?? [] { try visit(d, trail + [name]) }
            state[name] = 2
        }
        for a in artifacts { try visit(a.stackName, []) }
    }

    /// Stacks in an order where every stack comes after the ones it depends on.
    public static func deploymentOrder(_ artifacts: [StackArtifact]) -> [StackArtifact] {
        var done: Set<String> = []
        var out: [StackArtifact] = []
        let byName = Dictionary(uniqueKeysWithValues: artifacts.map { ($0.stackName, $0) })
        func visit(_ a: StackArtifact) {
            guard !done.contains(a.stackName) else { return }
            done.insert(a.stackName)
            for d in a.dependencies { if let dep = byName[d] { visit(dep) } }
            out.append(a)
        }
        for a in artifacts { visit(a) }
        return out
    }
}
