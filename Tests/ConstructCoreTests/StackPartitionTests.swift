import ConstructCore
import Testing

@Suite struct StackPartitionTests {
    let partition = StackPartition(capacity: 10)
    func units(_ keys: [String]) -> [(key: String, resources: Int)] { keys.map { ($0, 4) } }

    @Test func newUnitsFillTheFirstStackWithRoom() {
        let layout = partition.place(units(["a", "b", "c", "d", "e"]), layout: nil)
        #expect(layout.stacks == ["a": 1, "b": 1, "c": 2, "d": 2, "e": 3])
    }

    @Test func recordedUnitsNeverMoveWhateverTheOrder() {
        let first = partition.place(units(["a", "b", "c", "d", "e"]), layout: nil)
        // Reordered, one removed, two added: the recorded ones keep their stacks.
        let second = partition.place(units(["e", "new1", "d", "a", "c", "new2"]), layout: first)
        for key in ["a", "c", "d", "e"] { #expect(second.stacks[key] == first.stacks[key]) }
        #expect(second.stacks["b"] == nil)
        // The room b left in stack 1 is taken by a new unit, not by a recorded one.
        #expect(second.stacks["new1"] == 1)
        #expect(second.stacks["new2"] == 3)
    }

    @Test func recordedUnitsArePlacedBeforeNewOnesTakeTheirRoom() {
        let first = partition.place(units(["a", "b"]), layout: nil)
        let second = partition.place(units(["x", "a", "b"]), layout: first)
        #expect(second.stacks == ["a": 1, "b": 1, "x": 2])
    }

    @Test func aUnitBiggerThanTheCapacityGetsAStackOfItsOwn() {
        let layout = partition.place([("big", 25), ("small", 2)], layout: nil)
        #expect(layout.stacks == ["big": 1, "small": 2])
    }
}
