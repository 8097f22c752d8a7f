import ConstructCore

/// Every physical name the tsdat stacks use, derived from the config and the branch.
///
/// The reference builds names by pasting `{repo}-{branch}-…` together, which breaks on
/// a branch like `feature/x`, a repo like `pipeline_template`, or anything long. Here each
/// name is sanitized to its service's character set and, when over its limit, shortened
/// to a prefix plus a hash of the full name — deterministic, so redeploys keep names.
public struct TsdatNames: Sendable {
    public let branch: String
    /// `{repo}-{branch}` for stack names (`[A-Za-z0-9-]`, case kept).
    public let stackPrefix: String
    /// `{repo}-{branch}` lower-cased for ECR and the other resource names.
    public let base: String
    private let branchSlug: String
    public private(set) var shortened: [(kind: String, full: String, short: String)] = []

    public init(repo: String, branch: String) {
        self.branch = branch
        branchSlug = Self.slug(branch, allowed: Self.alnum + "-_.")
        stackPrefix = Self.slug("\(repo)-\(branch)", allowed: Self.alnum + "-")
        base = Self.ecrName("\(repo)-\(branch)")
    }

    public var codePipelineStack: String { "\(stackPrefix)-CodePipelineStack" }
    public var pipelinesStack: String { pipelinesStack(1) }
    /// The functions stacks: `…-PipelinesStack`, then `…-PipelinesStack2`, `…3`.
    public func pipelinesStack(_ number: Int) -> String { "\(stackPrefix)-PipelinesStack" + (number == 1 ? "" : String(number)) }
    public var repositoryName: String { base }
    public var projectName: String { Self.slug("\(base)-build", allowed: Self.alnum + "-_") }
    public var sourceStage: String { "\(branchSlug)-source" }
    public var buildStage: String { "\(branchSlug)-build" }

    public mutating func lambdaRoleName() -> String {
        limit("IAM role name", Self.slug("\(base)-lambda-role", allowed: Self.alnum + "+=,.@-_"), 64)
    }
    public mutating func pipelineName() -> String {
        limit("CodePipeline name", Self.slug("\(base)-build-pipeline", allowed: Self.alnum + ".@-_"), 100)
    }
    /// The branch's on-failure queue (SQS: `[A-Za-z0-9_-]`, ≤ 80).
    public mutating func failureQueueName() -> String {
        limit("SQS queue name", Self.slug("\(base)-failures", allowed: Self.alnum + "-_"), 80)
    }
    /// A function's error alarm (CloudWatch: ≤ 255, any printable).
    public func errorAlarmName(function: String) -> String { "\(function)-errors" }
    /// `{pipeline}-{branch}`, the reference's image tag.
    public mutating func imageTag(_ pipeline: String) -> String {
        limit("ECR image tag", Self.slug("\(pipeline)-\(branch)", allowed: Self.alnum + "-_."), 128)
    }
    /// `{repo}-{branch}-lambda-{pipeline}-{site}`, the reference's function name.
    public mutating func functionName(_ pipeline: String, _ site: String) -> String {
        limit("Lambda function name", Self.slug("\(base)-lambda-\(pipeline)-\(site)", allowed: Self.alnum + "-_"), 64)
    }
    public mutating func ruleName(_ pipeline: String, _ site: String) -> String {
        let name = rulesUnderFunctionPrefix ? "\(functionPrefix)\(pipeline)-\(site)-trigger" : "\(base)-\(pipeline)-\(site)-trigger"
        return limit("EventBridge rule name", Self.slug(name, allowed: Self.alnum + "-_."), 64)
    }

    /// `{repo}-{branch}-lambda-`: what every function, log group (after `/aws/lambda/`) and
    /// alarm name of the branch starts with, and its rule names too when
    /// `rulesUnderFunctionPrefix` — so one pattern grants them all (CodePipelineStack's
    /// grants past `exactGrantSites`).
    public var functionPrefix: String { "\(base)-lambda-" }
    /// Rule names `{repo}-{branch}-lambda-{pipeline}-{site}-trigger` instead of the
    /// reference's `{repo}-{branch}-{pipeline}-{site}-trigger` (set for grants by prefix).
    public var rulesUnderFunctionPrefix = false
    /// Shortened names keep their first 55 characters less a trailing separator (`limit`;
    /// separators never come two in a row), so a prefix up to 54 is in every name.
    public static let keptPrefixLength = 54
    /// The start every name of the branch shares (rules included), as far as shortening keeps it.
    public var sharedNamePrefix: String {
        let full = rulesUnderFunctionPrefix ? functionPrefix : base + "-"
        return String(full.prefix(Self.keptPrefixLength))
    }

    /// The names tsdat/aws-template's build gave what it made outside any template: raw
    /// `{repo}-{branch}-lambda-{pipeline}-{site}` (it pastes strings without sanitizing).
    public static func legacyFunctionPrefix(repo: String, branch: String) -> String { "\(repo)-\(branch)-lambda-" }
    public static func legacyFunctionName(repo: String, branch: String, pipeline: String, site: String) -> String {
        legacyFunctionPrefix(repo: repo, branch: branch) + "\(pipeline)-\(site)"
    }

    private mutating func limit(_ kind: String, _ name: String, _ max: Int) -> String {
        guard name.count > max else { return name }
        var head = String(name.prefix(max - 9))
        while let last = head.last, "-_.".contains(last) { head.removeLast() }
        let short = head + "-" + StableHash.hex8(name)
        shortened.append((kind, name, short))
        return short
    }

    static let alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

    /// Replaces disallowed characters with `-`, collapses runs of separators, trims them.
    static func slug(_ s: String, allowed: String) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) && allowed.utf8.allSatisfy({ $0 < 0x80 }) { return asciiSlug(s, allowed: allowed) }
        var out = ""
        for c in s {
            let mapped: Character = allowed.contains(c) ? c : "-"
            if !alnum.contains(mapped), let last = out.last, !alnum.contains(last) { continue }
            out.append(mapped)
        }
        while let f = out.first, !alnum.contains(f) { out.removeFirst() }
        while let l = out.last, !alnum.contains(l) { out.removeLast() }
        return out
    }

    /// `slug` for ASCII input, byte by byte: synth derives several names per site, and
    /// `String.contains(Character)` per character dominated synth at 1,000 pipelines.
    private static func asciiSlug(_ s: String, allowed: String) -> String {
        var mask: (UInt64, UInt64) = (0, 0)
        for b in allowed.utf8 { if b < 64 { mask.0 |= 1 << UInt64(b) } else { mask.1 |= 1 << UInt64(b - 64) } }
        func isAllowed(_ b: UInt8) -> Bool { b < 64 ? mask.0 & (1 << UInt64(b)) != 0 : mask.1 & (1 << UInt64(b - 64)) != 0 }
        func isAlnum(_ b: UInt8) -> Bool { (0x30...0x39).contains(b) || (0x41...0x5A).contains(b) || (0x61...0x7A).contains(b) }
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            let mapped = isAllowed(b) ? b : UInt8(ascii: "-")
            if !isAlnum(mapped), let last = out.last, !isAlnum(last) { continue }
            out.append(mapped)
        }
        let start = out.firstIndex(where: isAlnum) ?? out.endIndex
        let end = (out.lastIndex(where: isAlnum).map { $0 + 1 }) ?? start
        return start < end ? String(decoding: out[start..<end], as: UTF8.self) : ""
    }

    /// ECR: lower-case `[a-z0-9]+([._-][a-z0-9]+)*`.
    static func ecrName(_ s: String) -> String { slug(s.lowercased(), allowed: alnum.lowercased() + "-_.") }

    public static func isValidECRName(_ s: String) -> Bool {
        guard (2...256).contains(s.count) else { return false }
        return s == ecrName(s) && s == s.lowercased()
    }
}
