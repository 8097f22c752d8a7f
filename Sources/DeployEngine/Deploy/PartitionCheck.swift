import AWSClient
import Foundation

/// A partitioned stack's parts (`base`, `base2`, `base3`…) as deployed, against the parts
/// synthesized now: before any change, no named resource may move from one part to another
/// (CloudFormation would create it in the new part while the old part still holds the name);
/// after the deploy, a deployed part that is no longer synthesized is deleted.
public enum PartitionCheck {
    public struct Partition: Sendable {
        public var base: String
        public var parts: [String]
        public var region: String
        public var owner: DeployableStack.Owner?
    }

    public static func partitions(_ stacks: [DeployableStack], session: AWSSession) throws -> [Partition] {
        var seen: Set<String> = []
        var out: [Partition] = []
        for s in stacks {
            guard let p = s.partition, seen.insert(p.base).inserted else { continue }
            out.append(Partition(base: p.base, parts: p.parts, region: try s.region ?? session.requireRegion(), owner: s.owner))
        }
        return out
    }

    /// Deployed parts of the partition that carry our owner tag.
    static func deployedParts(_ p: Partition, _ cloudFormation: CloudFormationClient) async throws -> [CloudFormation.Stack] {
        try await cloudFormation.describeStacks().filter { s in
            let rest = s.name.dropFirst(p.base.count)
            guard s.name.hasPrefix(p.base), rest.isEmpty || (rest.allSatisfy(\.isNumber) && rest.first != "0") else { return false }
            guard let owner = p.owner else { return true }
            return s.tags.contains { $0.key == owner.key && $0.value == owner.value } && s.status != "REVIEW_IN_PROGRESS"
        }
    }

    /// Fixed-name resources synthesized in one part and deployed in another.
    public static func moves(_ stacks: [DeployableStack], session: AWSSession) async throws -> [String] {
        var out: [String] = []
        for p in try partitions(stacks, session: session) {
            let cloudFormation = try session.cloudFormation(region: p.region)
            var deployedIn: [String: String] = [:]
            for part in try await deployedParts(p, cloudFormation) {
                for r in try await cloudFormation.listStackResources(part.name) { if let id = r.physicalId { deployedIn[id] = part.name } }
            }
            for stack in stacks where stack.partition?.base == p.base {
                for (_, r) in stack.template["Resources"]?.objectValue ?? [:] {
                    for key in ["FunctionName", "LogGroupName", "Name", "AlarmName"] {
                        guard let name = r["Properties"]?[key]?.stringValue, let there = deployedIn[name], there != stack.name else { continue }
                        out.append("\(name) is deployed in \(there) and would move to \(stack.name)")
                    }
                }
            }
        }
        return out.sorted()
    }

    /// Deployed parts no longer synthesized, as stacks with nothing in them: a diff shows
    /// their resources removed, destroy deletes them with the rest (after their dependents).
    public static func orphanStacks(_ stacks: [DeployableStack], session: AWSSession) async throws -> [DeployableStack] {
        var out: [DeployableStack] = []
        for orphan in try await orphans(stacks, session: session) {
            guard let sibling = stacks.first(where: { $0.partition != nil && ($0.region ?? orphan.region) == orphan.region }) else { continue }
            var stack = try DeployableStack(name: orphan.name, account: sibling.account, region: orphan.region, templateBody: #"{"Resources":{}}"#)
            stack.owner = sibling.owner
            stack.dependencies = sibling.dependencies
            stack.partition = sibling.partition
            out.append(stack)
        }
        return out
    }

    /// Deployed parts no longer synthesized.
    public static func orphans(_ stacks: [DeployableStack], session: AWSSession) async throws -> [(name: String, region: String)] {
        var out: [(String, String)] = []
        for p in try partitions(stacks, session: session) {
            let cloudFormation = try session.cloudFormation(region: p.region)
            for part in try await deployedParts(p, cloudFormation) where !p.parts.contains(part.name) { out.append((part.name, p.region)) }
        }
        return out
    }
}
