import Foundation

/// What a command has under way in CloudFormation, for an interrupt to act on: work that
/// an interrupt must undo (a change set created but not executed, and the empty stack
/// shell it made), and operations already started that CloudFormation finishes alone.
public final class InFlight: @unchecked Sendable {
    public static let shared = InFlight()

    private let lock = NSLock()
    private var cleanups: [UUID: (label: String, run: @Sendable () async -> Void)] = [:]
    private var started: [String] = []

    public init() {}

    /// Registers `run` until `remove` is called with the returned id.
    public func add(_ label: String, _ run: @escaping @Sendable () async -> Void) -> UUID {
        let id = UUID()
        lock.withLock { cleanups[id] = (label, run) }
        return id
    }

    public func remove(_ id: UUID) { _ = lock.withLock { cleanups.removeValue(forKey: id) } }

    /// `stack` has an operation running in CloudFormation (an executed change set, a delete).
    public func started(_ stack: String) { lock.withLock { if !started.contains(stack) { started.append(stack) } } }

    public var startedStacks: [String] { lock.withLock { started } }

    /// Runs every registered cleanup once, side by side, giving up after `timeout` seconds;
    /// returns the labels of those that ran to the end.
    public func runCleanups(timeout: Double = 10) async -> [String] {
        let pending = lock.withLock { () -> [(label: String, run: @Sendable () async -> Void)] in
            defer { cleanups.removeAll() }
            return Array(cleanups.values)
        }
        guard !pending.isEmpty else { return [] }
        let done = Done()
        let tasks = pending.map { item in Task { await item.run(); done.add(item.label) } }
        let deadline = Date().addingTimeInterval(timeout)
        while done.count < tasks.count, Date() < deadline { try? await Task.sleep(nanoseconds: 50_000_000) }
        return done.labels
    }

    private final class Done: @unchecked Sendable {
        private let lock = NSLock()
        private var items: [String] = []
        func add(_ s: String) { lock.withLock { items.append(s) } }
        var count: Int { lock.withLock { items.count } }
        var labels: [String] { lock.withLock { items.sorted() } }
    }
}
