import AWSClient
import ArgumentParser
import DeployEngine
import Foundation
import TsdatApp

public struct LogsCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "Print the CloudWatch log events of a pipeline's functions.",
        discussion: """
            One site, or every site of the pipeline merged in time order, each line marked with \
            its site. Times are UTC. Example: tsdeploy logs main lidar humboldt --since 2h --follow
            """)

    @OptionGroup public var options: ConfigOptions
    @OptionGroup public var aws: AWSOptions

    @Argument(help: "The pipeline (its name in pipelines_config.yml).")
    public var pipeline: String

    @Argument(help: "The site (a key of the pipeline's configs); default: every site.")
    public var site: String?

    @Option(help: "How far back: 30m, 2h, 7d, or a time like 2026-11-25T08:00:00Z.")
    public var since = "1h"

    @Flag(help: "Keep printing new events until interrupted.")
    public var follow = false

    @Option(help: "Only events matching this CloudWatch Logs filter pattern (e.g. ERROR).")
    public var filter: String?

    public init() {}

    static func parseSince(_ s: String, now: Date = Date()) throws -> Date {
        if let unit = s.last, let n = Double(s.dropLast()), n >= 0 {
            let seconds: Double? = switch unit { case "s": n; case "m": n * 60; case "h": n * 3600; case "d": n * 86400; case "w": n * 604_800; default: nil }
            if let seconds { return now.addingTimeInterval(-seconds) }
        }
        let iso = ISO8601DateFormatter()
        if let d = iso.date(from: s) { return d }
        throw ValidationError("--since takes a duration (30m, 2h, 7d) or a UTC time like 2026-11-25T08:00:00Z, got '\(Display.truncated(s))'")
    }

    public func run() async throws {
        try await Console.runReportingErrors {
            let start = try Self.parseSince(since)
            let loaded = try ConfigLoader.load(path: options.config, branch: options.branch)
            let config = loaded.config
            guard let p = config.pipelines.first(where: { $0.name == pipeline }) else {
                let names = config.pipelines.map(\.name)
                let near = names.min { DidYouMean.distance(pipeline, $0) < DidYouMean.distance(pipeline, $1) }
                throw CLIError("no pipeline '\(Display.truncated(pipeline))' in \(options.config)",
                               hint: names.isEmpty ? "the config has no pipelines" : "pipelines: \(names.joined(separator: ", "))" + (near.map { "; did you mean '\($0)'?" } ?? ""))
            }
            var sites = p.sites
            if let site {
                guard let one = p.sites.first(where: { $0.id == site }) else {
                    throw CLIError("pipeline \(p.name) has no site '\(Display.truncated(site))'", hint: "sites: \(p.sites.map(\.id).joined(separator: ", "))")
                }
                sites = [one]
            }
            var names = TsdatNames(repo: config.pipelinesRepoName, branch: options.branch)
            let groups = sites.map { (site: $0.id, group: "/aws/lambda/" + names.functionName(p.name, $0.id)) }

            let session = try aws.session()
            let identity = try await session.sts(region: config.region).getCallerIdentity()
            guard identity.account == config.accountId else {
                throw CLIError("the credentials are for account \(identity.account), the config for \(config.accountId)",
                               hint: "use credentials (or a profile) for account \(config.accountId)")
            }
            let logs = try session.logs(region: config.region)
            var from = Int64(start.timeIntervalSince1970 * 1000)
            var seen: Set<String> = []
            var missing: Set<String> = []
            repeat {
                var batch: [(site: String, event: LogsClient.Event)] = []
                for g in groups {
                    do {
                        for e in try await logs.filterLogEvents(group: g.group, startTime: from, pattern: filter) { batch.append((g.site, e)) }
                        missing.remove(g.group)
                    } catch let error as AWSError where error.code == "ResourceNotFoundException" {
                        missing.insert(g.group)
                    }
                }
                batch.sort { ($0.event.timestamp, $0.event.eventId ?? "") < ($1.event.timestamp, $1.event.eventId ?? "") }
                var out = ""
                for (site, e) in batch {
                    let id = e.eventId ?? "\(e.timestamp)\(e.logStreamName ?? "")\(e.message)"
                    guard seen.insert(id).inserted else { continue }
                    out += Self.line(site: groups.count > 1 ? site : nil, e)
                }
                if !out.isEmpty { Console.stdout(out) }
                // Next round starts at the newest time seen; events at that exact millisecond
                // come again and are skipped by id.
                if let last = batch.last?.event.timestamp { from = max(from, last) }
                if follow { try await Task.sleep(nanoseconds: 2_000_000_000) }
            } while follow
            if missing.count == groups.count {
                throw CLIError("no log group for \(p.name)\(site.map { "/\($0)" } ?? "") in aws://\(config.accountId)/\(config.region) (\(groups[0].group)\(groups.count > 1 ? ", …" : ""))",
                               hint: "the function has not run yet, or branch \(options.branch) is not deployed: `tsdeploy ls \(options.branch)`")
            }
        }
    }

    static func line(site: String?, _ e: LogsClient.Event) -> String {
        let date = Date(timeIntervalSince1970: Double(e.timestamp) / 1000)
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        var message = e.message
        while message.hasSuffix("\n") { message.removeLast() }
        // Control characters other than tab and newline would move the terminal's cursor.
        message = String(message.unicodeScalars.map { ($0.value < 0x20 && $0 != "\t" && $0 != "\n") || $0.value == 0x7F ? "?" : Character($0) })
        return "\(f.string(from: date)) \(site.map { "[\($0)] " } ?? "")\(message)\n"
    }
}
