import AWSClient
import Foundation

/// Follows a stack operation through DescribeStackEvents until the stack settles, handing
/// each new event to the reporter in order, and keeps the events for the failure recap.
public struct StackWatcher: Sendable {
    public var cloudFormation: CloudFormationClient
    public var reporter: any DeployReporter
    /// Seconds between polls (CloudFormation's own waiters use 5–30 s; 2 s keeps the view live).
    public var pollInterval: Double = 2
    public var sleep: @Sendable (Double) async throws -> Void = { try await Task.sleep(nanoseconds: UInt64($0 * 1_000_000_000)) }

    public init(cloudFormation: CloudFormationClient, reporter: any DeployReporter) {
        self.cloudFormation = cloudFormation
        self.reporter = reporter
    }

    public struct Outcome: Sendable {
        public var status: String
        public var statusReason: String?
        public var events: [CloudFormation.StackEvent]
        public var success: Bool { StackStatus.isSuccess(status) }
    }

    /// The newest event id now, so that following starts after it.
    public func lastEventId(_ stack: String) async throws -> String? {
        try await cloudFormation.describeStackEvents(stack).events.first?.eventId
    }

    public func follow(_ stackId: String, name: String, after lastSeen: String?, progress: StackProgress) async throws -> Outcome {
        var seen = lastSeen
        var progress = progress
        var collected: [CloudFormation.StackEvent] = []
        var interval = pollInterval
        var throttledInARow = 0
        while true {
            do {
                // Newest first: page back until the last event already shown.
                var fresh: [CloudFormation.StackEvent] = []
                var token: String?
                pages: repeat {
                    let page: (events: [CloudFormation.StackEvent], nextToken: String?)
                    do { page = try await cloudFormation.describeStackEvents(stackId, nextToken: token) } catch let error as AWSError
                        where CloudFormationClient.isMissingStack(error) { break pages }
                    for event in page.events {
                        if event.eventId == seen { break pages }
                        fresh.append(event)
                    }
                    token = page.nextToken
                } while token != nil
                for event in fresh.reversed() {
                    progress.apply(event, stackName: name)
                    collected.append(event)
                    reporter.event(name, event, progress: progress)
                }
                if let newest = fresh.first { seen = newest.eventId }
                let stack = try await cloudFormation.describeStack(stackId)
                let status = stack?.status ?? "DELETE_COMPLETE"
                if !StackStatus.isInProgress(status) {
                    return Outcome(status: status, statusReason: stack?.statusReason, events: collected)
                }
                throttledInARow = 0
                interval = max(pollInterval, interval / 2)
            } catch let error as AWSError where RetryStrategy.throttlingCodes.contains(error.code) && throttledInARow < 12 {
                // Still throttled after the client's retries: CloudFormation carries on either
                // way, so polling less often loses nothing; failing would abandon a deploy under way.
                throttledInARow += 1
                interval = min(max(interval, 1) * 2, 30)
            }
            try await sleep(interval)
        }
    }
}

public enum StackStatus {
    public static func isInProgress(_ s: String) -> Bool { s.hasSuffix("_IN_PROGRESS") && s != "REVIEW_IN_PROGRESS" }
    public static func isSuccess(_ s: String) -> Bool { ["CREATE_COMPLETE", "UPDATE_COMPLETE", "IMPORT_COMPLETE", "DELETE_COMPLETE"].contains(s) }
}

/// The root cause of a failed operation: the first resources that failed on their own,
/// not the ones cancelled or rolled back because of them.
public enum FailureRecap {
    static let cascade = ["cancelled", "Resource update cancelled", "Resource creation cancelled", "The following resource(s) failed"]

    public static func rootCauses(_ events: [CloudFormation.StackEvent], stackName: String) -> [CloudFormation.StackEvent] {
        let failures = events.filter { e in
            e.status.hasSuffix("_FAILED") && e.logicalId != stackName
                && !cascade.contains { (e.statusReason ?? "").contains($0) }
        }
        guard let first = failures.min(by: { $0.timestamp < $1.timestamp }) else { return [] }
        // Failures within the same few seconds as the first are independent roots too.
        return failures.filter { $0.timestamp.timeIntervalSince(first.timestamp) < 5 }.prefix(5).map { $0 }
    }

    public static func render(_ outcome: StackWatcher.Outcome, stackName: String, paths: [String: String] = [:]) -> String {
        var out = "\(stackName) failed: \(outcome.status)\n"
        let roots = rootCauses(outcome.events, stackName: stackName)
        if roots.isEmpty {
            out += "  reason: \(outcome.statusReason ?? "CloudFormation gave none; see the events above")\n"
        }
        for e in roots {
            out += "  \(e.logicalId) (\(e.resourceType)\(paths[e.logicalId].map { ", " + $0 } ?? "")) \(e.status)\n"
            out += "    \(e.statusReason ?? "no reason given")\n"
        }
        switch outcome.status {
        case "UPDATE_ROLLBACK_COMPLETE":
            out += "  The stack was rolled back to its previous state and can be deployed again once the cause is fixed.\n"
        case "ROLLBACK_COMPLETE":
            out += "  The first create failed and rolled back; the next deploy deletes the empty stack and creates it anew.\n"
        case "UPDATE_ROLLBACK_FAILED":
            out += "  The rollback itself failed. Fix the cause, then run:\n"
            out += "    aws cloudformation continue-update-rollback --stack-name \(stackName)\n"
            out += "  (add --resources-to-skip LOGICAL_ID for resources that cannot be rolled back).\n"
        default: break
        }
        return out
    }
}
