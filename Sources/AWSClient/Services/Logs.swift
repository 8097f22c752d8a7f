import Foundation

/// CloudWatch Logs (JSON 1.1; host `logs.<region>`, signing name `logs`).
public struct LogsClient: Sendable {
    public let client: AWSClient
    static let prefix = "Logs_20140328."
    public init(_ client: AWSClient) { self.client = client }

    public struct Event: Sendable, Equatable, Decodable {
        public var eventId: String?
        public var logStreamName: String?
        /// Milliseconds since 1970.
        public var timestamp: Int64
        public var message: String
        public init(eventId: String?, logStreamName: String?, timestamp: Int64, message: String) {
            self.eventId = eventId; self.logStreamName = logStreamName; self.timestamp = timestamp; self.message = message
        }
    }

    struct DescribeGroupsInput: Encodable { var logGroupNamePrefix: String; var nextToken: String? }
    struct DescribeGroupsOutput: Decodable { var logGroups: [Group]?; var nextToken: String? }
    struct Group: Decodable { var logGroupName: String }

    /// Names of the log groups starting with `prefix`.
    public func logGroupNames(prefix: String) async throws -> [String] {
        var names: [String] = []
        var token: String?
        repeat {
            let page = try await client.json(Self.prefix + "DescribeLogGroups", operation: "DescribeLogGroups",
                                             DescribeGroupsInput(logGroupNamePrefix: prefix, nextToken: token), as: DescribeGroupsOutput.self)
            names += (page.logGroups ?? []).map(\.logGroupName)
            token = page.nextToken
        } while token != nil
        return names
    }

    struct FilterInput: Encodable {
        var logGroupName: String
        var startTime: Int64?
        var endTime: Int64?
        var filterPattern: String?
        var nextToken: String?
        var limit: Int?
    }
    struct FilterOutput: Decodable { var events: [Event]?; var nextToken: String? }

    /// Events of a group from `startTime` (ms), all pages, in time order. A missing group
    /// is a `ResourceNotFoundException`.
    public func filterLogEvents(group: String, startTime: Int64?, endTime: Int64? = nil, pattern: String? = nil,
                                maxEvents: Int = 10_000) async throws -> [Event] {
        var events: [Event] = []
        var token: String?
        repeat {
            let page = try await client.json(Self.prefix + "FilterLogEvents", operation: "FilterLogEvents",
                                             FilterInput(logGroupName: group, startTime: startTime, endTime: endTime,
                                                         filterPattern: pattern, nextToken: token, limit: min(10_000, maxEvents)),
                                             as: FilterOutput.self)
            events += page.events ?? []
            token = page.nextToken
        } while token != nil && events.count < maxEvents
        return events.sorted { ($0.timestamp, $0.eventId ?? "") < ($1.timestamp, $1.eventId ?? "") }
    }
}
