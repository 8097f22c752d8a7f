import Foundation

/// Rewrites a CDK stack's template so that deleting the stack keeps its data.
///
/// CDK's `autoDeleteObjects` / `emptyOnDelete` add a custom resource whose Delete handler
/// empties the bucket (or repository) — but only while the bucket carries the tag
/// `aws-cdk:auto-delete-objects` = `true` (images: `aws-cdk:auto-delete-images`), which CDK
/// sets through the resource's Tags. (Read in aws-cdk's custom-resource-handlers
/// `auto-delete-objects-handler`: `onDelete` returns without deleting when
/// `isBucketTaggedForDeletion` is false; an Update event only deletes when the bucket's name
/// changes, which this never does.) So: every data resource gets DeletionPolicy and
/// UpdateReplacePolicy Retain and loses the auto-delete tags; nothing else changes, so no
/// custom resource receives an event until the stack is deleted, when the tags are gone.
public enum CDKDataRetention {
    public static let autoDeleteTagPrefix = "aws-cdk:auto-delete-"

    public struct Change: Sendable, Equatable {
        public var logicalId: String, type: String
        public var retained: Bool
        public var removedTags: [String]
    }

    public static func retainingData(_ template: JSONValue) -> (template: JSONValue, changes: [Change]) {
        guard case .object(var root) = template, case .object(var resources)? = root["Resources"] else { return (template, []) }
        var changes: [Change] = []
        for (id, value) in resources.sorted(by: { $0.key < $1.key }) {
            guard case .object(var r) = value, let type = r["Type"]?.stringValue, DataLoss.dataTypes.contains(type) else { continue }
            var change = Change(logicalId: id, type: type, retained: false, removedTags: [])
            if r["DeletionPolicy"]?.stringValue != "Retain" || r["UpdateReplacePolicy"]?.stringValue != "Retain" {
                r["DeletionPolicy"] = .string("Retain")
                r["UpdateReplacePolicy"] = .string("Retain")
                change.retained = true
            }
            if case .object(var props)? = r["Properties"], case .array(let tags)? = props["Tags"] {
                let kept = tags.filter { !($0["Key"]?.stringValue ?? "").hasPrefix(autoDeleteTagPrefix) }
                change.removedTags = tags.compactMap { $0["Key"]?.stringValue }.filter { $0.hasPrefix(autoDeleteTagPrefix) }
                if kept.isEmpty { props.removeValue(forKey: "Tags") } else { props["Tags"] = .array(kept) }
                r["Properties"] = .object(props)
            }
            if change.retained || !change.removedTags.isEmpty {
                resources[id] = .object(r)
                changes.append(change)
            }
        }
        root["Resources"] = .object(resources)
        return (.object(root), changes)
    }
}

extension JSONValue {
    /// Foundation objects, integral numbers as integers (templates say `120`, not `120.0`).
    var foundation: Any {
        switch self {
        case .null: return NSNull()
        case .bool(let b): return b
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? Int(n) as Any : n as Any
        case .string(let s): return s
        case .array(let a): return a.map(\.foundation)
        case .object(let o): return o.mapValues(\.foundation)
        }
    }

    /// Valid JSON text (escaping done by JSONSerialization), keys sorted.
    public func jsonText() throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: foundation, options: [.sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes]), as: UTF8.self)
    }
}
