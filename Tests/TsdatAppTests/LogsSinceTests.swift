import Foundation
import Testing
@testable import TSDeployCLI

@Suite struct LogsSinceTests {
    @Test func durationsAndTimesAreAccepted() throws {
        let now = Date(timeIntervalSince1970: 1_000_000)
        #expect(try LogsCommand.parseSince("30m", now: now) == now.addingTimeInterval(-1800))
        #expect(try LogsCommand.parseSince("2h", now: now) == now.addingTimeInterval(-7200))
        #expect(try LogsCommand.parseSince("7d", now: now) == now.addingTimeInterval(-604_800))
        #expect(try LogsCommand.parseSince("2026-11-25T08:00:00Z", now: now) == ISO8601DateFormatter().date(from: "2026-11-25T08:00:00Z"))
        for bad in ["", "h", "-1h", "1y", "yesterday", "2026-11-25"] { #expect(throws: (any Error).self) { try LogsCommand.parseSince(bad, now: now) } }
    }

    @Test func linesAreUTCAndHarmless() {
        let line = LogsCommand.line(site: "hum", .init(eventId: "1", logStreamName: "s", timestamp: 1_700_000_000_123, message: "bad\u{1B}[2J\n"))
        #expect(line == "2023-11-14T22:13:20.123Z [hum] bad?[2J\n")
    }
}
