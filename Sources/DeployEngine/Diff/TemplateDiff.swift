import Foundation

/// The difference between a deployed template and a synthesized one, at resource and
/// property level, with replacements predicted offline from createOnlyProperties.
public struct TemplateDiff: Sendable, Equatable {
    public enum Replacement: String, Sendable, Comparable {
        case never, conditional, always
        public static func < (a: Self, b: Self) -> Bool { a.order < b.order }
        var order: Int { switch self { case .never: 0; case .conditional: 1; case .always: 2 } }
    }

    public struct PropertyChange: Sendable, Equatable {
        public var name: String
        public var old: JSONValue?
        public var new: JSONValue?
        public var replacement: Replacement
    }

    public struct ResourceChange: Sendable, Equatable {
        public enum Kind: String, Sendable { case added = "+", removed = "-", modified = "~" }
        public var kind: Kind
        public var logicalId: String
        public var type: String
        public var path: String?
        public var properties: [PropertyChange]
        /// Other changed top-level attributes (DependsOn, DeletionPolicy, Metadata…).
        public var attributes: [String]
        public var replacement: Replacement
        /// A replacement that keeps a custom name: CloudFormation creates the new resource
        /// first, under the same name, and fails.
        public var replacementWillFail: Bool
        /// Retained (DeletionPolicy Retain) when removed.
        public var retainedOnRemoval: Bool
    }

    public struct ValueChange: Sendable, Equatable {
        public var name: String
        public var old: JSONValue?
        public var new: JSONValue?
    }

    public var resources: [ResourceChange] = []
    public var parameters: [ValueChange] = []
    public var outputs: [ValueChange] = []
    public var other: [String] = []
    public var iam: [IAMStatementChange] = []
    public var securityGroups: [SecurityGroupChange] = []
    /// Removals and replacements that would delete a resource holding data.
    public var dataLoss: [DataLoss] = []

    public var isEmpty: Bool { resources.isEmpty && parameters.isEmpty && outputs.isEmpty && other.isEmpty }
    /// Added permissions or openings: what `--require-approval broadening` asks about.
    public var isBroadening: Bool {
        iam.contains { $0.kind == .added && $0.effect == "Allow" } || securityGroups.contains { $0.kind == .added }
    }

    /// `old` nil: the stack is not deployed (everything is an addition).
    public init(old: JSONValue?, new: JSONValue, paths: [String: String] = [:]) {
        let oldResources = old?["Resources"]?.objectValue ?? [:]
        let newResources = new["Resources"]?.objectValue ?? [:]
        for id in Set(oldResources.keys).union(newResources.keys).sorted() {
            let a = oldResources[id], b = newResources[id]
            if let change = Self.resource(id, a, b, path: paths[id]) { resources.append(change) }
        }
        parameters = Self.values(old?["Parameters"]?.objectValue ?? [:], new["Parameters"]?.objectValue ?? [:])
        outputs = Self.values(old?["Outputs"]?.objectValue ?? [:], new["Outputs"]?.objectValue ?? [:])
        if let old {
            for key in ["Description", "Mappings", "Conditions", "Transform", "Metadata"] where old[key] != new[key] { other.append(key) }
        }
        dataLoss = DataLoss.predicted(old: old, changes: resources)
        iam = IAMStatementChange.changes(old: oldResources, new: newResources)
        securityGroups = SecurityGroupChange.changes(old: oldResources, new: newResources)
    }

    static func values(_ a: [String: JSONValue], _ b: [String: JSONValue]) -> [ValueChange] {
        Set(a.keys).union(b.keys).sorted().compactMap { key in a[key] == b[key] ? nil : ValueChange(name: key, old: a[key], new: b[key]) }
    }

    static func resource(_ id: String, _ a: JSONValue?, _ b: JSONValue?, path: String?) -> ResourceChange? {
        let type = (b ?? a)?["Type"]?.stringValue ?? "?"
        let retained = a?.isRetainedOnDelete ?? false
        switch (a, b) {
        case (nil, let b?):
            let props = (b["Properties"]?.objectValue ?? [:]).sorted { $0.key < $1.key }
                .map { PropertyChange(name: $0.key, old: nil, new: $0.value, replacement: .never) }
            return ResourceChange(kind: .added, logicalId: id, type: type, path: path, properties: props, attributes: [],
                                  replacement: .never, replacementWillFail: false, retainedOnRemoval: false)
        case (_?, nil):
            return ResourceChange(kind: .removed, logicalId: id, type: type, path: path, properties: [], attributes: [],
                                  replacement: .never, replacementWillFail: false, retainedOnRemoval: retained)
        case (let a?, let b?):
            guard a != b else { return nil }
            let oldType = a["Type"]?.stringValue ?? "?"
            let createOnly = CreateOnlyProperties.properties(of: type)
            let oldProps = a["Properties"]?.objectValue ?? [:], newProps = b["Properties"]?.objectValue ?? [:]
            var props: [PropertyChange] = []
            for name in Set(oldProps.keys).union(newProps.keys).sorted() where oldProps[name] != newProps[name] {
                var replacement = Replacement.never
                if createOnly.contains(name) {
                    replacement = (newProps[name]?.isDynamic ?? false) || (oldProps[name]?.isDynamic ?? false) ? .conditional : .always
                }
                props.append(PropertyChange(name: name, old: oldProps[name], new: newProps[name], replacement: replacement))
            }
            var replacement = props.map(\.replacement).max() ?? .never
            if oldType != type { replacement = .always }
            let attributes = Set(a.objectValue.keys).union(b.objectValue.keys).subtracting(["Properties", "Type"]).sorted()
                .filter { a[$0] != b[$0] }
            // A custom name that stays the same while the resource is replaced collides with itself.
            let keepsName = createOnly.contains { name in
                name.hasSuffix("Name") && oldProps[name] != nil && oldProps[name] == newProps[name]
            }
            return ResourceChange(kind: .modified, logicalId: id, type: type, path: path, properties: props,
                                  attributes: (oldType != type ? ["Type"] : []) + attributes, replacement: replacement,
                                  replacementWillFail: replacement == .always && keepsName, retainedOnRemoval: false)
        case (nil, nil):
            return nil
        }
    }
}
