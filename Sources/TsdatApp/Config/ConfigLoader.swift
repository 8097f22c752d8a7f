import Foundation
import Yams

/// A config that passed validation, with the warnings it raised.
public struct LoadedConfig: Sendable {
    public var config: PipelinesConfig
    public var warnings: [ConfigDiagnostic]
    public var source: String
}

/// Reads `pipelines_config.yml`: structure and types here, semantic rules in
/// `ConfigValidation`. Errors are collected and thrown together.
public enum ConfigLoader {
    static let topKeys = [
        "github_org", "pipelines_repo_name", "aws_repo_name", "account_id", "region", "input_bucket_name",
        "output_bucket_name", "create_buckets", "github_codestar_arn", "pipelines", "tags", "log_retention_days",
    ]
    static let pipelineKeys = ["name", "type", "trigger", "schedule", "configs", "timeout", "memory"]
    static let siteKeys = ["input_bucket_path", "config_file_path"]

    public static func load(path: String, branch: String) throws -> LoadedConfig {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigErrors(diagnostics: [ConfigDiagnostic(
                severity: .error, file: path, line: 1, column: 1,
                message: FileManager.default.fileExists(atPath: path) ? "cannot read the file" : "no such file",
                hint: "pass the config with --config FILE")], source: "")
        }
        guard let source = String(data: data, encoding: .utf8) else {
            throw ConfigErrors(diagnostics: [ConfigDiagnostic(
                severity: .error, file: path, line: 1, column: 1, message: "the file is not UTF-8 text")], source: "")
        }
        return try parse(source, file: path, branch: branch)
    }

    public static func parse(_ source: String, file: String, branch: String) throws -> LoadedConfig {
        var reader = YAMLReader(file: file)
        let problems = YAMLPreflight.check(source)
        guard problems.isEmpty else {
            reader.diagnostics = problems.map {
                ConfigDiagnostic(severity: .error, file: file, line: $0.line, column: $0.column, message: $0.message, hint: $0.hint)
            }
            throw ConfigErrors(diagnostics: reader.diagnostics, source: source)
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: source)
        } catch let error as YamlError {
            // The preflight saw the same events, so this is a rule only Yams applies.
            reader.error(syntaxMessage(error), at: syntaxMark(error))
            throw ConfigErrors(diagnostics: reader.diagnostics, source: source)
        }
        guard let root else {
            reader.error("the file is empty; see docs/configuration.md for the keys it needs", at: nil)
            throw ConfigErrors(diagnostics: reader.diagnostics, source: source)
        }
        let config = read(root, &reader)
        if let config { ConfigValidation.check(config, branch: branch, &reader) }
        let errors = reader.diagnostics.filter { $0.severity == .error }
        guard let config, errors.isEmpty else {
            throw ConfigErrors(diagnostics: reader.diagnostics.sorted { ($0.line, $0.column) < ($1.line, $1.column) },
                               source: source)
        }
        return LoadedConfig(config: config, warnings: reader.diagnostics, source: source)
    }

    private static func read(_ root: Node, _ r: inout YAMLReader) -> PipelinesConfig? {
        let top = r.entries(root, allowed: topKeys, context: "the config")
        guard case .mapping = root else { return nil }
        func req(_ key: String) -> Node? { r.required(key, in: top, of: root, context: "the config") }

        let org = r.string(req("github_org"), path: "github_org")
        let repo = r.string(req("pipelines_repo_name"), path: "pipelines_repo_name")
        let awsRepo = r.string(req("aws_repo_name"), path: "aws_repo_name")
        let account = r.string(req("account_id"), path: "account_id", acceptNumbers: true)
        if let node = top["account_id"]?.value, case .scalar(let s) = node, s.style == .plain {
            r.warning("account_id is not quoted; YAML may read it as a number", at: node.mark,
                      hint: "write account_id: \"\(s.string)\"")
        }
        let region = r.string(req("region"), path: "region")
        let input = r.string(req("input_bucket_name"), path: "input_bucket_name")
        let output = r.string(req("output_bucket_name"), path: "output_bucket_name")
        let create = r.bool(req("create_buckets"), path: "create_buckets")
        let arn = r.string(req("github_codestar_arn"), path: "github_codestar_arn")
        let retention = top["log_retention_days"].flatMap {
            r.int($0.value, path: "log_retention_days", range: 1...3653)
        } ?? PipelinesConfig.defaultLogRetentionDays

        var tags: [String: String] = [:]
        if let node = top["tags"]?.value {
            for (key, entry) in r.entries(node, allowed: Self.anyKey(node), context: "tags") {
                r.remember("tags.\(key)", entry.key.mark)
                if let v = r.string(entry.value, path: "tags.\(key)", acceptNumbers: true) { tags[key] = v }
            }
        }

        var pipelines: [PipelineConfig] = []
        if let node = top["pipelines"]?.value {
            if case .sequence(let seq) = node {
                for (i, item) in seq.enumerated() {
                    if let p = readPipeline(item, index: i, &r) {
                        pipelines.append(p)
                        r.pipelineSourceIndex.append(i)
                    }
                }
            } else if YAMLReader.resolvedTag(node) != .null {
                r.error("'pipelines' must be a list, found \(YAMLReader.describe(node))", at: node.mark)
            }
        }

        // Missing values were reported above; empty strings stand in so the semantic
        // checks can still report everything else in the same run (they skip empties).
        return PipelinesConfig(
            githubOrg: org ?? "", pipelinesRepoName: repo ?? "", awsRepoName: awsRepo ?? "", accountId: account ?? "",
            region: region ?? "", inputBucketName: input ?? "", outputBucketName: output ?? "",
            createBuckets: create ?? false, githubCodestarArn: arn ?? "",
            pipelines: pipelines, tags: tags, logRetentionDays: retention)
    }

    private static func readPipeline(_ node: Node, index i: Int, _ r: inout YAMLReader) -> PipelineConfig? {
        let at = "pipelines[\(i)]"
        let e = r.entries(node, allowed: pipelineKeys, context: at)
        guard case .mapping = node else { return nil }
        r.remember(at, node.mark)
        func req(_ key: String) -> Node? { r.required(key, in: e, of: node, context: at) }
        let name = r.string(req("name"), path: "\(at).name")
        if let name { r.pipelineNames.append((name, i)) }
        let context = name.map { "pipeline '\(Display.truncated($0))'" } ?? at
        let kind = r.choice(req("type"), path: "\(at).type", as: PipelineConfig.Kind.self)
        let trigger = r.choice(req("trigger"), path: "\(at).trigger", as: PipelineConfig.Trigger.self)
        let schedule = e["schedule"].flatMap { r.choice($0.value, path: "\(at).schedule", as: PipelineConfig.Schedule.self) }
        let timeout = e["timeout"].flatMap { r.int($0.value, path: "\(at).timeout", range: 1...900) }
        let memory = e["memory"].flatMap { r.int($0.value, path: "\(at).memory", range: 128...10240) }

        var sites: [SiteConfig] = []
        if let configs = r.required("configs", in: e, of: node, context: context) {
            let entries = r.entries(configs, allowed: anyKey(configs), context: "configs of \(context)")
            if case .mapping(let m) = configs, m.count == 0 {
                r.error("\(context) has no sites under 'configs'", at: configs.mark,
                        hint: "add at least one site: SITE: {config_file_path: …}")
            }
            // Keep the file's order: the mapping is ordered, the dictionary is not.
            if case .mapping(let m) = configs {
                for (k, _) in m {
                    guard let id = k.string, let entry = entries[id] else { continue }
                    if let site = readSite(entry.value, id: id, keyMark: entry.key.mark, at: "\(at).configs.\(id)", &r) {
                        sites.append(site)
                    }
                }
            }
        }
        guard let name, let kind, let trigger else { return nil }
        return PipelineConfig(name: name, kind: kind, trigger: trigger, schedule: schedule, sites: sites,
                              timeoutSeconds: timeout ?? PipelineConfig.defaultTimeout,
                              memoryMB: memory ?? PipelineConfig.defaultMemory)
    }

    private static func readSite(_ node: Node, id: String, keyMark: Mark?, at: String, _ r: inout YAMLReader) -> SiteConfig? {
        r.remember(at, keyMark)
        let e = r.entries(node, allowed: siteKeys, context: "site '\(Display.truncated(id))'")
        guard case .mapping = node else { return nil }
        let input = e["input_bucket_path"].flatMap { r.string($0.value, path: "\(at).input_bucket_path", acceptNumbers: true) }
        let config = r.string(r.required("config_file_path", in: e, of: node, context: "site '\(Display.truncated(id))'"),
                              path: "\(at).config_file_path")
        guard let config else { return nil }
        return SiteConfig(id: id, inputBucketPath: input, configFilePath: config)
    }

    /// Keys of free-form maps (site ids, tags) are all allowed.
    private static func anyKey(_ node: Node) -> [String] {
        guard case .mapping(let m) = node else { return [] }
        return m.compactMap { $0.key.string }
    }

    private static func syntaxMessage(_ error: YamlError) -> String {
        switch error {
        case .scanner(let context, let problem, _, _), .parser(let context, let problem, _, _),
             .composer(let context, let problem, _, _):
            return "invalid YAML: \(problem)" + (context.map { " (\($0.text))" } ?? "")
        case .reader(let problem, _, _, _):
            return "cannot read the file: \(problem)"
        case .duplicatedKeysInMapping(let duplicates, _):
            return "duplicate key '\(Display.truncated(duplicates.first ?? ""))'"
        default:
            return "invalid YAML"
        }
    }

    private static func syntaxMark(_ error: YamlError) -> Mark? {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark
        case .duplicatedKeysInMapping(_, let context): return context.mark
        default: return nil
        }
    }
}
