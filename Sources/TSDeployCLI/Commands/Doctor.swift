import AWSClient
import ArgumentParser
import Foundation
import TsdatApp

/// Shows how tsdeploy will reach AWS, before anything is deployed: which profile, region,
/// endpoints and credential source it resolved (secrets masked), and who STS says that is.
public struct Doctor: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Show the resolved AWS profile, region, endpoints, credential source and caller identity.")

    @OptionGroup public var aws: AWSOptions

    @Option(name: .shortAndLong, help: "The pipelines config to compare the account and region with (skipped when absent).")
    public var config: String = "pipelines_config.yml"

    @Flag(help: "Print the findings as JSON.")
    public var json = false

    public init() {}

    public func run() async throws {
        let report = try await Console.runReportingErrors { try await DoctorReport.make(aws: aws, configPath: config) }
        Console.stdout(json ? report.json() : report.text())
        if !report.ok { throw ExitCode(1) }
    }
}

struct DoctorReport {
    var rows: [(key: String, value: String)] = []
    var problems: [String] = []
    var ok: Bool { problems.isEmpty }

    static func make(aws: AWSOptions, configPath: String) async throws -> DoctorReport {
        var report = DoctorReport()
        let session = try aws.session()
        report.rows.append(("profile", "\(session.profile.name) (\(session.profileSource))"))
        var configured: (account: String, region: String)?
        if FileManager.default.fileExists(atPath: configPath), let loaded = try? ConfigLoader.load(path: configPath, branch: "main") {
            configured = (loaded.config.accountId, loaded.config.region)
        }
        let region = session.region?.name ?? configured?.region
        report.rows.append(("region", session.region.map { "\($0.name) (\($0.source))" }
            ?? configured.map { "\($0.region) (\(configPath))" } ?? "not set"))
        guard let region else {
            report.problems.append("no region: pass --region or set AWS_REGION")
            return report
        }
        for service in [AWSService.cloudFormation, .s3, .sts, .ssm, .ecr] {
            let endpoint = session.endpoints.resolve(service, region: region)
            report.rows.append(("endpoint \(service.id)", "\(EndpointURL.redacted(endpoint.url)) (\(endpoint.source))"))
            if let problem = EndpointURL.problem(endpoint.url) {
                report.problems.append("the \(service.id) endpoint from \(endpoint.source) is not usable: \(problem)")
                return report
            }
        }
        do {
            let credentials = try await session.credentials.credentials()
            var value = "\(try await session.credentials.sourceName()): \(credentials.maskedAccessKeyId)"
            if credentials.sessionToken != nil { value += ", temporary" }
            if let expiration = credentials.expiration { value += ", expires \(Timestamps.iso8601String(expiration))" }
            report.rows.append(("credentials", value))
        } catch {
            report.rows.append(("credentials", "none"))
            report.problems.append("\(error)")
            return report
        }
        do {
            let identity = try await session.sts(region: region).getCallerIdentity()
            report.rows.append(("identity", identity.arn))
            report.rows.append(("account", identity.account))
            if let configured, configured.account != identity.account {
                report.problems.append("\(configPath) deploys to account \(configured.account), but these credentials are for account \(identity.account)")
            }
        } catch let error as AWSError {
            report.rows.append(("identity", "unknown"))
            report.problems.append(error.description + (error.hint.map { "\n  hint: \($0)" } ?? ""))
        } catch {
            report.rows.append(("identity", "unknown"))
            report.problems.append("\(error)")
        }
        if let configured, configured.region != region {
            report.problems.append("\(configPath) deploys to \(configured.region); commands use that region for its stacks, not \(region)")
        }
        return report
    }

    func text() -> String {
        let width = rows.map(\.key.count).max() ?? 0
        var out = rows.map { $0.key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + $0.value }.joined(separator: "\n") + "\n"
        for problem in problems { out += "problem: \(problem)\n" }
        out += ok ? "ok: tsdeploy can reach AWS\n" : ""
        return out
    }

    func json() -> String {
        var object: [String: Any] = [:]
        for row in rows { object[row.key] = row.value }
        object["problems"] = problems
        object["ok"] = ok
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys])) ?? Data()
        return String(decoding: data, as: UTF8.self) + "\n"
    }
}
