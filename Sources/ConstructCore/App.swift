import CloudFormation

/// The root of a construct tree. Synthesis turns each stack into a template and the
/// metadata the cloud assembly needs.
public final class App: Construct {
    public private(set) var diagnostics: [Diagnostic] = []

    public init() { super.init(rootId: "") }

    public var stacks: [Stack] { descendants.compactMap { $0 as? Stack } }

    /// Looks up a construct by its path.
    public func find(path: String) -> Construct? {
        var node: Construct = self
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            guard let next = node.child(String(part)) else { return nil }
            node = next
        }
        return node
    }

    public func warn(_ message: String, at construct: Construct? = nil) {
        diagnostics.append(Diagnostic(severity: .warning, message: message, path: construct?.path))
    }

    /// Synthesizes every stack. References are resolved first, so cross-stack wiring
    /// (outputs, parameters, dependencies) is complete before any template is rendered.
    public func synthesize() throws -> [StackArtifact] {
        let stacks = self.stacks
        let stackNames = Dictionary(grouping: stacks, by: \.stackName).filter { $0.value.count > 1 }
        if let dup = stackNames.keys.sorted().first {
            throw SynthesisError("two stacks are named '\(dup)'")
        }
        // Constructs finish lazily built properties (policy documents, targets) first.
        for c in descendants { c.prepare() }
        // Stacks resolve on every core, each with its own wiring, merged in stack order so the
        // result is the one a single pass gives. Logical IDs are computed once up front: the
        // resolutions only read the tree.
        for stack in stacks { for r in stack.resources { _ = r.logicalId } }
        let outcomes = Parallel.map(stacks.map(StackBox.init)) { box -> Resolution in
            var own = CrossStackWiring()
            do {
                let (template, metadata) = try box.stack.resolvedTemplate(wiring: &own)
                return Resolution(template: template, metadata: metadata, wiring: own, error: nil)
            } catch {
                return Resolution(template: Template(), metadata: [], wiring: own, error: error)
            }
        }
        var wiring = CrossStackWiring()
        var resolved: [ObjectIdentifier: (Template, [MetadataEntry])] = [:]
        for (stack, outcome) in zip(stacks, outcomes) {
            if let error = outcome.error { throw error }
            wiring.merge(outcome.wiring)
            resolved[ObjectIdentifier(stack)] = (outcome.template, outcome.metadata)
        }
        var artifacts: [StackArtifact] = []
        for stack in stacks {
            var (template, metadata) = resolved[ObjectIdentifier(stack)]!
            wiring.apply(to: stack, template: &template)
            artifacts.append(stack.artifact(template: template, metadata: metadata, wiring: wiring))
        }
        try StackArtifact.checkForCycles(artifacts)
        let sizes = Parallel.map(artifacts) { JSONWriter.compactByteCount($0.template.render()) }
        let over = zip(artifacts, sizes).flatMap { StackLimits.violations($0, bytes: $1) }
        if !over.isEmpty { throw SynthesisError(over.map(\.description).joined(separator: "\n")) }
        return artifacts
    }
}

public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable { case warning, error }
    public var severity: Severity
    public var message: String
    public var path: String?
    public var description: String { "\(severity.rawValue): \(path.map { "[\($0)] " } ?? "")\(message)" }
}

public struct SynthesisError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A stack handed to another thread for resolution, which only reads the construct tree.
private struct StackBox: @unchecked Sendable { let stack: Stack }

private struct Resolution: Sendable {
    var template: Template
    var metadata: [MetadataEntry]
    var wiring: CrossStackWiring
    var error: (any Error)?
}
