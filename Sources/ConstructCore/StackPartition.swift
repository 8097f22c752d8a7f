/// Spreads units — groups of resources that must stay together, like a function with its log
/// group, trigger and alarm — over as many stacks as CloudFormation's quotas need, stably.
///
/// A unit that was placed before (recorded in a `Layout`, which the app keeps in a file as
/// CDK keeps cdk.context.json) stays in its stack: adding, removing or reordering units never
/// moves one, because moving a resource between stacks deletes and re-creates it. New units go
/// to the first stack with room, else to a new one. A stack left without units is not
/// synthesized; the deploy engine deletes it (see `partitionMetadataType`).
public struct StackPartition: Sendable {
    /// Unit key → stack number (1-based), per partition.
    public struct Layout: Codable, Sendable, Equatable {
        public var stacks: [String: Int]
        public init(stacks: [String: Int] = [:]) { self.stacks = stacks }
    }

    /// Engine metadata on each stack of a partition: `{partition, base}`; stacks named `base`
    /// and `base2`, `base3`… with the same owner belong to it.
    public static let partitionMetadataType = "tsdeploy:partition"

    /// Resources per stack, with head-room under the quota of 500 for what a later version adds.
    public let capacity: Int

    public init(capacity: Int = 400) {
        precondition(capacity >= 1 && capacity <= StackLimits.resources, "capacity must be 1…\(StackLimits.resources)")
        self.capacity = capacity
    }

    /// The stack number of every unit, and the layout to record.
    public func place(_ units: [(key: String, resources: Int)], layout: Layout?) -> Layout {
        var placed: [String: Int] = [:]
        var load: [Int: Int] = [:]
        let wanted = Set(units.map(\.key))
        // Recorded units first, so a new unit earlier in the order cannot take their room.
        for unit in units {
            if let n = layout?.stacks[unit.key], n >= 1, wanted.contains(unit.key) {
                placed[unit.key] = n
                load[n, default: 0] += unit.resources
            }
        }
        for unit in units where placed[unit.key] == nil {
            var n = 1
            while load[n, default: 0] + unit.resources > capacity && load[n, default: 0] > 0 { n += 1 }
            placed[unit.key] = n
            load[n, default: 0] += unit.resources
        }
        return Layout(stacks: placed)
    }
}
