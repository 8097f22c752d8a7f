import AWSClient
import Foundation

/// Two branches that share an input bucket (`create_buckets: false`) both run their functions
/// for the same new objects and write to the same output bucket. Allowed — it is how a team
/// tries a branch on real data — but never silently: deploy warns, naming the other branch.
public enum SharedTriggers {
    public struct Trigger: Sendable, Hashable { public var bucket: String, prefix: String }

    /// S3 "Object Created" rules of a template: (bucket, key prefix) pairs.
    public static func triggers(in template: JSONValue) -> Set<Trigger> {
        var out: Set<Trigger> = []
        for (_, r) in template["Resources"]?.objectValue ?? [:] where r["Type"]?.stringValue == "AWS::Events::Rule" {
            guard let pattern = r["Properties"]?["EventPattern"], pattern["source"]?.arrayValue.contains(.string("aws.s3")) == true else { continue }
            let buckets = pattern["detail"]?["bucket"]?["name"]?.arrayValue.compactMap(\.stringValue) ?? []
            let keys = pattern["detail"]?["object"]?["key"]?.arrayValue ?? []
            let prefixes = keys.compactMap { $0["prefix"]?.stringValue }
            for b in buckets { for p in (prefixes.isEmpty ? [""] : prefixes) { out.insert(Trigger(bucket: b, prefix: p)) } }
        }
        return out
    }

    static func overlap(_ a: Trigger, _ b: Trigger) -> Bool {
        a.bucket == b.bucket && (a.prefix.hasPrefix(b.prefix) || b.prefix.hasPrefix(a.prefix))
    }

    /// Warnings for each other tsdeploy stack (another owner) whose triggers overlap ours.
    /// Best effort: a caller that may not list stacks (the build) gets one note instead.
    public static func warnings(for stack: DeployableStack, session: AWSSession) async -> [String] {
        let ours = triggers(in: stack.template)
        guard !ours.isEmpty, let owner = stack.owner, let region = stack.region ?? (try? session.requireRegion()) else { return [] }
        do {
            let cloudFormation = try session.cloudFormation(region: region)
            var out: [String] = []
            for other in try await cloudFormation.describeStacks() where other.name != stack.name {
                guard let tag = other.tags.first(where: { $0.key == owner.key }), tag.value != owner.value else { continue }
                let theirs = triggers(in: try JSONValue.parse(try await cloudFormation.getTemplate(other.name)))
                let shared = ours.filter { o in theirs.contains { overlap(o, $0) } }.sorted { ($0.bucket, $0.prefix) < ($1.bucket, $1.prefix) }
                guard !shared.isEmpty else { continue }
                let places = shared.prefix(3).map { "s3://\($0.bucket)/\($0.prefix)" }.joined(separator: ", ") + (shared.count > 3 ? ", …" : "")
                out.append("branch '\(tag.value)' (\(other.name)) also runs its functions for new objects under \(places): "
                           + "each object there is processed by both branches, and both write to their output buckets; "
                           + "give this branch its own buckets (create_buckets: true with other names) unless that is what you want")
            }
            return out
        } catch {
            return ["could not check whether other branches share this stack's input buckets (\(error))"]
        }
    }
}
