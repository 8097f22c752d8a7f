import ConstructCore
import Foundation

/// Semantic rules of the config, each reported at the value it is about.
enum ConfigValidation {
    static func check(_ c: PipelinesConfig, branch: String, _ r: inout YAMLReader) {
        func at(_ path: String) -> YAMLReader.Location? { r.locations[path] }

        if !c.githubOrg.isEmpty, !matches(c.githubOrg, "^[A-Za-z0-9]([A-Za-z0-9-]{0,38})$") {
            r.error("github_org '\(Display.truncated(c.githubOrg))' is not a GitHub account name", at: at("github_org"),
                    hint: "letters, digits and '-', at most 39 characters")
        }
        for (key, value) in [("pipelines_repo_name", c.pipelinesRepoName), ("aws_repo_name", c.awsRepoName)]
        where !value.isEmpty && !matches(value, "^[A-Za-z0-9._-]{1,100}$") {
            r.error("\(key) '\(Display.truncated(value))' is not a GitHub repository name", at: at(key),
                    hint: "letters, digits, '.', '_' and '-', at most 100 characters")
        }
        if !c.accountId.isEmpty, !matches(c.accountId, "^[0-9]{12}$") {
            r.error("account_id must be 12 digits, found '\(Display.truncated(c.accountId))'", at: at("account_id"))
        }
        if !c.region.isEmpty, !matches(c.region, "^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]$") {
            r.error("region '\(Display.truncated(c.region))' is not an AWS region", at: at("region"), hint: "e.g. us-west-2")
        }
        for key in ["input_bucket_name", "output_bucket_name"] {
            let name = key == "input_bucket_name" ? c.inputBucketName : c.outputBucketName
            if !name.isEmpty, let problem = bucketNameProblem(name) {
                r.error("\(key) '\(Display.truncated(name))' is not a valid S3 bucket name: \(problem)", at: at(key))
            }
        }
        if !c.inputBucketName.isEmpty, c.inputBucketName == c.outputBucketName {
            r.error("input_bucket_name and output_bucket_name must differ", at: at("output_bucket_name"),
                    hint: "outputs written to the input bucket would trigger the pipelines again")
        }
        checkConnection(c, &r)
        checkTags(c, &r)
        checkPipelines(c, &r)
        checkDerivedNames(c, branch: branch, &r)
    }

    private static func checkConnection(_ c: PipelinesConfig, _ r: inout YAMLReader) {
        let arn = c.githubCodestarArn
        guard !arn.isEmpty else { return }
        let pattern = "^arn:aws(-[a-z]+)*:(codestar-connections|codeconnections):([a-z0-9-]+):([0-9]{12}):connection/[0-9a-fA-F-]{36}$"
        guard let groups = captures(arn, pattern) else {
            r.error("github_codestar_arn is not a CodeStar/CodeConnections connection ARN", at: r.locations["github_codestar_arn"],
                    hint: "arn:aws:codeconnections:REGION:ACCOUNT:connection/UUID, from the console's Connections page")
            return
        }
        if !c.region.isEmpty, groups[3] != c.region {
            r.warning("the connection is in \(groups[3]) but the stacks deploy to \(c.region)",
                      at: r.locations["github_codestar_arn"], hint: "CodePipeline needs a connection in its own region")
        }
        if !c.accountId.isEmpty, groups[4] != c.accountId {
            r.warning("the connection belongs to account \(groups[4]), not \(c.accountId)", at: r.locations["github_codestar_arn"])
        }
    }

    private static func checkTags(_ c: PipelinesConfig, _ r: inout YAMLReader) {
        if c.tags.count > 45 {
            r.error("at most 45 tags are allowed (IAM and ECR take 50, tsdeploy keeps 5 free)", at: r.locations["tags.\(c.tags.keys.sorted()[45])"])
        }
        for (key, value) in c.tags.sorted(by: { $0.key < $1.key }) {
            let loc = r.locations["tags.\(key)"]
            if key.count > 128 || key.isEmpty { r.error("tag key '\(Display.truncated(key))' must be 1–128 characters", at: loc) }
            if key.lowercased().hasPrefix("tsdeploy:") { r.error("tag key '\(Display.truncated(key))' uses the prefix 'tsdeploy:', which tsdeploy keeps for itself", at: loc) }
            if key.lowercased().hasPrefix("aws:") { r.error("tag key '\(Display.truncated(key))' uses the reserved prefix 'aws:'", at: loc) }
            if value.count > 256 { r.error("the value of tag '\(Display.truncated(key))' is longer than 256 characters", at: loc) }
            let allowed = "^[\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]*$"
            if !matches(key, allowed) || !matches(value, allowed) {
                r.error("tag '\(Display.truncated(key))' has characters AWS tags do not allow", at: loc,
                        hint: "letters, digits, spaces and _ . : / = + - @")
            }
        }
    }

    private static func checkPipelines(_ c: PipelinesConfig, _ r: inout YAMLReader) {
        var seen: [String: Int] = [:]
        for (name, i) in r.pipelineNames {
            if let first = seen[name] {
                let line = r.locations["pipelines[\(first)].name"]?.line ?? 0
                r.error("pipeline name '\(Display.truncated(name))' is used twice", at: r.locations["pipelines[\(i)].name"],
                        hint: "first used on line \(line)")
            } else {
                seen[name] = i
            }
        }
        for (n, p) in c.pipelines.enumerated() {
            let i = r.pipelineSourceIndex[n]
            let at = "pipelines[\(i)]"
            let nameLoc = r.locations["\(at).name"]
            if !matches(p.name, "^[A-Za-z0-9][A-Za-z0-9_-]*$") {
                r.error("pipeline name '\(Display.truncated(p.name))' must be a folder name of letters, digits, '_' and '-'", at: nameLoc)
            }
            if p.kind == .vap, p.trigger != .cron {
                r.error("pipeline '\(Display.truncated(p.name))' is a VAP, which must use trigger: Cron", at: r.locations["\(at).trigger"])
            }
            if p.trigger == .cron, p.schedule == nil {
                r.error("pipeline '\(Display.truncated(p.name))' uses trigger: Cron but has no schedule", at: r.locations[at],
                        hint: "add schedule: Hourly, Daily, Weekly or Monthly")
            }
            if p.trigger == .s3, p.schedule != nil {
                r.warning("pipeline '\(Display.truncated(p.name))' is triggered by S3, so its schedule is ignored",
                          at: r.locations["\(at).schedule"])
            }
            for site in p.sites { checkSite(site, of: p, at: "\(at).configs.\(site.id)", &r) }
        }
        checkOverlappingPrefixes(c, &r)
    }

    private static func checkSite(_ site: SiteConfig, of p: PipelineConfig, at: String, _ r: inout YAMLReader) {
        if !matches(site.id, "^[A-Za-z0-9][A-Za-z0-9_-]*$") {
            r.error("site id '\(Display.truncated(site.id))' of pipeline '\(Display.truncated(p.name))' must be letters, digits, '_' and '-'", at: r.locations[at])
        }
        if p.kind == .ingest, site.inputBucketPath == nil {
            r.error("site '\(Display.truncated(site.id))' of Ingest pipeline '\(Display.truncated(p.name))' needs input_bucket_path", at: r.locations[at],
                    hint: "the prefix in the input bucket where its raw files arrive")
        }
        if let raw = site.inputBucketPath {
            let loc = r.locations["\(at).input_bucket_path"]
            let prefix = normalizePrefix(raw)
            if raw.split(separator: "/").contains("..") {
                r.error("input_bucket_path '\(Display.truncated(raw))' must not contain '..'", at: loc)
            } else if prefix.isEmpty, p.trigger == .s3 {
                r.warning("site '\(Display.truncated(site.id))' of '\(Display.truncated(p.name))' watches the whole input bucket", at: loc)
            }
            if prefix.count > 1024 { r.error("input_bucket_path is longer than an S3 key may be", at: loc) }
        }
        let path = site.configFilePath
        let loc = r.locations["\(at).config_file_path"]
        if path.hasPrefix("/") || path.hasPrefix("~") || matches(path, "^[A-Za-z]:") {
            r.error("config_file_path '\(Display.truncated(path))' must be relative to the pipelines repository", at: loc)
        } else if escapesRoot(path) {
            r.error("config_file_path '\(Display.truncated(path))' points outside the pipelines repository", at: loc)
        } else if !(path.hasSuffix(".yaml") || path.hasSuffix(".yml")) {
            r.warning("config_file_path '\(Display.truncated(path))' is not a YAML file", at: loc)
        }
    }

    /// Two S3-triggered sites where one prefix contains the other both run for the same file.
    private static func checkOverlappingPrefixes(_ c: PipelinesConfig, _ r: inout YAMLReader) {
        struct Watched { var order: Int, pipeline: String, site: String, prefix: String, location: String }
        var all: [Watched] = []
        for (n, p) in c.pipelines.enumerated() where p.trigger == .s3 {
            let i = r.pipelineSourceIndex[n]
            for site in p.sites {
                guard let raw = site.inputBucketPath else { continue }
                all.append(Watched(order: all.count, pipeline: p.name, site: site.id, prefix: normalizePrefix(raw),
                                   location: "pipelines[\(i)].configs.\(site.id).input_bucket_path"))
            }
        }
        // Sorted, a prefix comes before everything it is a prefix of, so the prefixes still open
        // on a stack (the chain of prefixes of the current one) find every overlapping pair without
        // comparing all pairs (12.5 million comparisons at 5,000 sites). Each pair is reported once, at the site later in the file.
        let sorted = all.sorted { ($0.prefix, $0.order) < ($1.prefix, $1.order) }
        var open: [Watched] = []
        var firstOverlap: [Int: Watched] = [:]
        for w in sorted {
            while let top = open.last, !w.prefix.hasPrefix(top.prefix) { open.removeLast() }
            for ancestor in open {
                let (later, earlier) = w.order > ancestor.order ? (w, ancestor) : (ancestor, w)
                if let known = firstOverlap[later.order], known.order < earlier.order {} else { firstOverlap[later.order] = earlier }
            }
            open.append(w)
        }
        for w in all {
            guard let other = firstOverlap[w.order] else { continue }
            r.warning("'\(w.pipeline)/\(w.site)' and '\(other.pipeline)/\(other.site)' watch overlapping prefixes "
                      + "('\(Display.truncated(w.prefix))' and '\(Display.truncated(other.prefix))'): both run for the same files",
                      at: r.locations[w.location])
        }
    }

    /// Names that only exist once the branch is known; each must fit its service.
    private static func checkDerivedNames(_ c: PipelinesConfig, branch: String, _ r: inout YAMLReader) {
        guard !c.pipelinesRepoName.isEmpty else { return }
        var names = TsdatNames(repo: c.pipelinesRepoName, branch: branch)
        let repoLoc = r.locations["pipelines_repo_name"]
        if names.stackPrefix.isEmpty || !Stack.isValidName(names.codePipelineStack) {
            r.error("pipelines_repo_name '\(Display.truncated(c.pipelinesRepoName))' with branch '\(Display.truncated(branch))' gives the stack name "
                    + "'\(Display.truncated(names.codePipelineStack))', which CloudFormation rejects", at: repoLoc,
                    hint: "stack names start with a letter and are at most 128 characters of letters, digits and '-'")
        }
        if !TsdatNames.isValidECRName(names.repositoryName) {
            r.error("pipelines_repo_name '\(Display.truncated(c.pipelinesRepoName))' with branch '\(Display.truncated(branch))' gives no valid ECR repository name",
                    at: repoLoc)
        }
        var functions: [String: String] = [:]
        for (n, p) in c.pipelines.enumerated() {
            let i = r.pipelineSourceIndex[n]
            for site in p.sites {
                let fn = names.functionName(p.name, site.id)
                if let other = functions[fn] {
                    r.error("'\(p.name)/\(site.id)' and '\(Display.truncated(other))' would both be named '\(Display.truncated(fn))'",
                            at: r.locations["pipelines[\(i)].configs.\(site.id)"],
                            hint: "rename a pipeline or site so they differ in letters or digits")
                }
                functions[fn] = "\(p.name)/\(site.id)"
            }
        }
    }

    // MARK: helpers

    static func normalizePrefix(_ raw: String) -> String {
        var p = raw.trimmingCharacters(in: .whitespaces)
        while p.hasPrefix("./") { p.removeFirst(2) }
        while p.hasPrefix("/") { p.removeFirst() }
        if !p.isEmpty, !p.hasSuffix("/") { p += "/" }
        return p
    }

    private static func escapesRoot(_ path: String) -> Bool {
        var depth = 0
        for part in path.split(separator: "/") {
            if part == ".." { depth -= 1 } else if part != "." { depth += 1 }
            if depth < 0 { return true }
        }
        return false
    }

    /// S3's general-purpose bucket naming rules.
    static func bucketNameProblem(_ name: String) -> String? {
        if !(3...63).contains(name.count) { return "it must be 3–63 characters long" }
        if !matches(name, "^[a-z0-9][a-z0-9.-]*[a-z0-9]$") {
            return "use lower-case letters, digits, '.' and '-', starting and ending with a letter or digit"
        }
        if name.contains("..") { return "it must not contain two adjacent periods" }
        if matches(name, "^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$") { return "it must not look like an IP address" }
        for prefix in ["xn--", "sthree-", "amzn-s3-demo-"] where name.hasPrefix(prefix) {
            return "the prefix '\(Display.truncated(prefix))' is reserved"
        }
        for suffix in ["-s3alias", "--ol-s3", ".mrap", "--x-s3", "--table-s3"] where name.hasSuffix(suffix) {
            return "the suffix '\(Display.truncated(suffix))' is reserved"
        }
        return nil
    }

    static func matches(_ s: String, _ pattern: String) -> Bool { s.range(of: pattern, options: .regularExpression) != nil }

    static func captures(_ s: String, _ pattern: String) -> [String]? {
        guard let re = try? NSRegularExpression(pattern: pattern),
              let m = re.firstMatch(in: s, range: NSRange(s.startIndex..., in: s)) else { return nil }
        return (0..<m.numberOfRanges).map { i in
            Range(m.range(at: i), in: s).map { String(s[$0]) } ?? ""
        }
    }
}
