import Yams

/// Typed, located access to a composed YAML tree. Every problem becomes a diagnostic
/// and reading goes on, so one run reports all of a file's errors.
struct YAMLReader {
    typealias Location = Mark
    let file: String
    var diagnostics: [ConfigDiagnostic] = []
    /// Where each value came from, by key path ("pipelines[0].schedule").
    private(set) var locations: [String: Mark] = [:]
    /// The list index in the file of each parsed pipeline (ones that failed to parse are
    /// skipped in the model, so model and file indices can differ).
    var pipelineSourceIndex: [Int] = []
    /// Every pipeline name read, with its list index, even of pipelines that failed to parse.
    var pipelineNames: [(name: String, index: Int)] = []

    init(file: String) { self.file = file }

    mutating func error(_ message: String, at mark: Mark?, hint: String? = nil) {
        diagnostics.append(ConfigDiagnostic(severity: .error, file: file, line: mark?.line ?? 1,
                                            column: mark?.column ?? 1, message: message, hint: hint))
    }

    mutating func warning(_ message: String, at mark: Mark?, hint: String? = nil) {
        diagnostics.append(ConfigDiagnostic(severity: .warning, file: file, line: mark?.line ?? 1,
                                            column: mark?.column ?? 1, message: message, hint: hint))
    }

    mutating func remember(_ path: String, _ mark: Mark?) { if let mark { locations[path] = mark } }

    /// The tag YAML 1.1 gives a node: Yams's resolver runs a regular expression per rule, per
    /// scalar; a plain scalar starting with a letter is a string unless it is one of the
    /// words below (bool, null), which is nearly every name and path in a config.
    static func resolvedTag(_ node: Node) -> Tag.Name {
        if case .scalar(let scalar) = node, scalar.style == .plain, let first = scalar.string.utf8.first,
           (0x41...0x5A).contains(first) || (0x61...0x7A).contains(first),
           !specialWords.contains(scalar.string.lowercased()) {
            return .str
        }
        return Resolver.default.resolveTag(of: node)
    }

    static let specialWords: Set<String> = ["y", "n", "yes", "no", "true", "false", "on", "off", "null"]

    static func describe(_ node: Node) -> String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar:
            switch resolvedTag(node) {
            case .bool: return "a boolean"
            case .int: return "a number"
            case .float: return "a number"
            case .null: return "nothing"
            default: return "a string"
            }
        }
    }

    /// The mapping's entries after checking for unknown and duplicate keys.
    mutating func entries(_ node: Node, allowed: [String], context: String) -> [String: (key: Node, value: Node)] {
        guard case .mapping(let mapping) = node else {
            error("\(context) must be a mapping of keys to values, found \(Self.describe(node))", at: node.mark)
            return [:]
        }
        var out: [String: (key: Node, value: Node)] = [:]
        for (k, v) in mapping {
            guard let key = k.string else {
                error("keys in \(context) must be strings", at: k.mark)
                continue
            }
            if Display.hasControlCharacters(key) {
                error("a key in \(context) contains a control character: '\(Display.truncated(key))'", at: k.mark)
                continue
            }
            if out[key] != nil {
                error("duplicate key '\(Display.truncated(key))' in \(context)", at: k.mark, hint: "the second one would silently win")
                continue
            }
            if !allowed.contains(key) {
                let hint = DidYouMean.suggest(key, among: allowed).map { "did you mean '\(Display.truncated($0))'?" }
                    ?? "allowed keys: \(allowed.joined(separator: ", "))"
                error("unknown key '\(Display.truncated(key))' in \(context)", at: k.mark, hint: hint)
                continue
            }
            out[key] = (k, v)
        }
        return out
    }

    mutating func required(_ key: String, in entries: [String: (key: Node, value: Node)], of node: Node,
                           context: String) -> Node? {
        if let v = entries[key]?.value { return v }
        error("missing required key '\(Display.truncated(key))' in \(context)", at: node.mark)
        return nil
    }

    /// A string. Plain scalars YAML reads as something else (`yes`, `12`, `~`) are
    /// refused unless `acceptNumbers`, with a hint to quote them.
    mutating func string(_ node: Node?, path: String, acceptNumbers: Bool = false) -> String? {
        guard let node else { return nil }
        remember(path, node.mark)
        guard case .scalar(let scalar) = node else {
            error("'\(Display.truncated(path))' must be a string, found \(Self.describe(node))", at: node.mark)
            return nil
        }
        if Display.hasControlCharacters(scalar.string) {
            error("'\(Display.truncated(path))' contains a control character: '\(Display.truncated(scalar.string))'", at: node.mark,
                  hint: "names, paths and values are one line of printable text")
            return nil
        }
        let tag = scalar.style == .plain ? Self.resolvedTag(node) : .str
        if scalar.style == .plain, tag == .null {
            error("'\(Display.truncated(path))' is empty", at: node.mark)
            return nil
        }
        if scalar.style == .plain, tag == .bool || ((tag == .int || tag == .float) && !acceptNumbers) {
            error("'\(Display.truncated(path))' must be a string, found \(Self.describe(node)) '\(Display.truncated(scalar.string))'", at: node.mark,
                  hint: "put it in quotes: \"\(Display.truncated(scalar.string))\"")
            return nil
        }
        return scalar.string
    }

    mutating func bool(_ node: Node?, path: String) -> Bool? {
        guard let node else { return nil }
        remember(path, node.mark)
        guard case .scalar = node, Resolver.default.resolveTag(of: node) == .bool, let b = node.bool else {
            error("'\(Display.truncated(path))' must be true or false, found \(Self.describe(node))", at: node.mark)
            return nil
        }
        return b
    }

    mutating func int(_ node: Node?, path: String, range: ClosedRange<Int>) -> Int? {
        guard let node else { return nil }
        remember(path, node.mark)
        guard case .scalar = node, Resolver.default.resolveTag(of: node) == .int, let n = node.int else {
            error("'\(Display.truncated(path))' must be a whole number, found \(Self.describe(node))", at: node.mark)
            return nil
        }
        guard range.contains(n) else {
            error("'\(Display.truncated(path))' must be between \(range.lowerBound) and \(range.upperBound), found \(n)", at: node.mark)
            return nil
        }
        return n
    }

    mutating func choice<E: RawRepresentable & CaseIterable>(_ node: Node?, path: String, as: E.Type) -> E?
    where E.RawValue == String {
        guard let raw = string(node, path: path) else { return nil }
        if let value = E(rawValue: raw) { return value }
        let allowed = E.allCases.map(\.rawValue)
        let hint = DidYouMean.suggest(raw, among: allowed).map { "did you mean '\(Display.truncated($0))'?" }
            ?? "one of: \(allowed.joined(separator: ", "))"
        error("'\(Display.truncated(path))' must be one of \(allowed.joined(separator: ", ")), found '\(Display.truncated(raw))'", at: node?.mark, hint: hint)
        return nil
    }
}
