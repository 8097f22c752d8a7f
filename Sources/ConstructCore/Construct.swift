import CloudFormation

/// A node of the construct tree. Every construct has an id unique among its siblings;
/// its path (ids from the app down, joined by `/`) is unique in the app and is what
/// logical IDs and cross-construct references are derived from.
open class Construct {
    public let id: String
    public private(set) weak var scope: Construct?
    public private(set) var children: [Construct] = []

    /// Root constructor, used only by `App`.
    init(rootId: String) {
        self.id = rootId
        self.scope = nil
    }

    public init(_ scope: Construct, _ id: String) {
        precondition(!id.isEmpty, "construct ids must not be empty")
        precondition(!id.contains("/"), "construct id '\(id)' must not contain '/'")
        self.id = id
        self.scope = scope
        precondition(
            !scope.children.contains { $0.id == id },
            "there is already a construct with id '\(id)' in \(scope.path.isEmpty ? "the app" : scope.path)")
        scope.children.append(self)
    }

    /// Ids from the app (excluded) down to this construct.
    public var pathComponents: [String] {
        var parts: [String] = []
        var node: Construct? = self
        while let n = node, n.scope != nil {
            parts.append(n.id)
            node = n.scope
        }
        return parts.reversed()
    }

    public var path: String { pathComponents.joined(separator: "/") }

    public var app: App {
        var node: Construct = self
        while let s = node.scope { node = s }
        guard let app = node as? App else { preconditionFailure("construct \(path) is not inside an App") }
        return app
    }

    /// The closest enclosing stack (a stack is its own stack).
    public var stack: Stack {
        var node: Construct? = self
        while let n = node {
            if let s = n as? Stack { return s }
            node = n.scope
        }
        preconditionFailure("construct \(path) is not inside a Stack")
    }

    /// Every construct below this one, depth-first in creation order.
    public var descendants: [Construct] {
        var result: [Construct] = []
        for child in children {
            result.append(child)
            result.append(contentsOf: child.descendants)
        }
        return result
    }

    public func child(_ id: String) -> Construct? { children.first { $0.id == id } }

    /// Called once on every construct before synthesis, parents before children. Override
    /// to render properties that other constructs may still add to (policy statements,
    /// lifecycle rules) — the equivalent of CDK's `Lazy` values.
    open func prepare() {}
}
