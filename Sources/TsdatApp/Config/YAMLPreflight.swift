import CYaml

/// A pass over libyaml's events before anything builds a tree, so that no input can make
/// the reader slow, deep or large: a config in a pull request must not pin a CI runner.
///
/// Yams composes aliases by sharing nodes and hashes every mapping key to find duplicates,
/// so an alias bomb used as a key costs exponential time there; here each anchor's expanded
/// size is known when it closes, and the total is capped before Yams ever sees the text.
/// It also reports duplicate keys at the repeated key itself, which Yams cannot.
struct YAMLPreflight {
    struct Limits {
        var depth = 64
        /// Nodes after expanding every alias: far above any real config (a few hundred).
        var expandedNodes = 100_000
        var scalarBytes = 65_536
    }

    struct Problem {
        var message: String
        var line: Int
        var column: Int
        var hint: String?
    }

    /// Tags a config may carry: the core schema's, written `!!str` and so on.
    static let allowedTags: Set<String> = ["str", "int", "float", "bool", "null", "map", "seq"]
        .reduce(into: []) { $0.insert("tag:yaml.org,2002:" + $1) }

    /// The problems of `source`, in file order; empty when the text may be composed.
    static func check(_ source: String, limits: Limits = Limits()) -> [Problem] {
        yaml_set_max_nest_level(Int32(limits.depth + 8))
        var parser = yaml_parser_t()
        guard yaml_parser_initialize(&parser) == 1 else { return [Problem(message: "out of memory", line: 1, column: 1)] }
        defer { yaml_parser_delete(&parser) }
        var utf8 = Array(source.utf8)
        return utf8.withUnsafeMutableBufferPointer { buffer in
            yaml_parser_set_input_string(&parser, buffer.baseAddress, buffer.count)
            yaml_parser_set_encoding(&parser, YAML_UTF8_ENCODING)
            var scan = Scan(limits: limits)
            scan.run(&parser)
            return scan.problems
        }
    }

    private struct Collection {
        var isMapping: Bool
        var anchor: String?
        var size = 1
        /// Mapping only: whether the next node is a key, and the keys seen so far.
        var expectingKey = true
        var keys: Set<String> = []
    }

    private struct Scan {
        let limits: Limits
        var problems: [Problem] = []
        var stack: [Collection] = []
        var anchorSizes: [String: Int] = [:]
        var total = 0
        var documents = 0

        init(limits: Limits) { self.limits = limits }

        mutating func fail(_ message: String, _ mark: yaml_mark_t, hint: String? = nil) {
            problems.append(Problem(message: message, line: Int(mark.line) + 1, column: Int(mark.column) + 1, hint: hint))
        }

        mutating func run(_ parser: inout yaml_parser_t) {
            while problems.isEmpty {
                var event = yaml_event_t()
                guard yaml_parser_parse(&parser, &event) == 1 else {
                    let problem = parser.problem.map { String(cString: $0) } ?? "unreadable YAML"
                    let context = parser.context.map { " (\(String(cString: $0)))" } ?? ""
                    fail("invalid YAML: \(problem)\(context)", parser.problem_mark)
                    return
                }
                defer { yaml_event_delete(&event) }
                if event.type == YAML_STREAM_END_EVENT { return }
                handle(event)
            }
        }

        mutating func handle(_ event: yaml_event_t) {
            let mark = event.start_mark
            switch event.type {
            case YAML_DOCUMENT_START_EVENT:
                documents += 1
                if documents > 1 {
                    fail("the config holds more than one YAML document", mark, hint: "keep one document; remove the '---' line")
                }
            case YAML_ALIAS_EVENT:
                let name = Self.string(event.data.alias.anchor) ?? ""
                if stack.last.map({ $0.isMapping && $0.expectingKey }) == true {
                    fail("an alias (*\(Display.truncated(name))) cannot be a key", mark, hint: "write the key out")
                    return
                }
                guard let size = anchorSizes[name] else {
                    fail("alias *\(Display.truncated(name)) names no anchor before it", mark)
                    return
                }
                node(size: size, key: nil, mark)
            case YAML_SCALAR_EVENT:
                let scalar = event.data.scalar
                guard checkTag(scalar.tag, mark) else { return }
                if scalar.length > limits.scalarBytes {
                    fail("a value of \(scalar.length) bytes; values are at most \(limits.scalarBytes) bytes", mark)
                    return
                }
                let value = scalar.value.map { String(decoding: UnsafeBufferPointer(start: $0, count: scalar.length), as: UTF8.self) } ?? ""
                if let anchor = Self.string(scalar.anchor) { anchorSizes[anchor] = 1 }
                node(size: 1, key: value, mark)
            case YAML_SEQUENCE_START_EVENT, YAML_MAPPING_START_EVENT:
                let isMapping = event.type == YAML_MAPPING_START_EVENT
                let tag = isMapping ? event.data.mapping_start.tag : event.data.sequence_start.tag
                guard checkTag(tag, mark) else { return }
                if let parent = stack.last, parent.isMapping, parent.expectingKey {
                    fail("keys must be plain strings, found \(isMapping ? "a mapping" : "a list")", mark)
                    return
                }
                if stack.count >= limits.depth {
                    fail("the config nests deeper than \(limits.depth) levels", mark)
                    return
                }
                let anchor = Self.string(isMapping ? event.data.mapping_start.anchor : event.data.sequence_start.anchor)
                stack.append(Collection(isMapping: isMapping, anchor: anchor))
                count(1, mark)
            case YAML_SEQUENCE_END_EVENT, YAML_MAPPING_END_EVENT:
                guard let closed = stack.popLast() else { return }
                if let anchor = closed.anchor { anchorSizes[anchor] = closed.size }
                // The collection's own node was counted when it opened; its size reaches the parent now.
                if !stack.isEmpty { advance(size: closed.size, key: nil, mark) }
            default:
                break
            }
        }

        /// A scalar or alias of `size` expanded nodes inside the current collection.
        mutating func node(size: Int, key: String?, _ mark: yaml_mark_t) {
            count(size, mark)
            if !stack.isEmpty { advance(size: size, key: key, mark) }
        }

        mutating func advance(size: Int, key: String?, _ mark: yaml_mark_t) {
            let i = stack.count - 1
            stack[i].size += size
            guard stack[i].isMapping else { return }
            if stack[i].expectingKey, let key {
                if stack[i].keys.contains(key) {
                    fail("duplicate key '\(Display.truncated(key))'", mark, hint: "each key may appear once; the second would silently win")
                }
                stack[i].keys.insert(key)
            }
            stack[i].expectingKey.toggle()
        }

        mutating func count(_ n: Int, _ mark: yaml_mark_t) {
            total += n
            if total > limits.expandedNodes, problems.isEmpty {
                fail("the config expands to more than \(limits.expandedNodes) values (aliases repeat what they name)", mark,
                     hint: "write the values out; a pipelines config needs no aliases")
            }
        }

        mutating func checkTag(_ tag: UnsafeMutablePointer<yaml_char_t>?, _ mark: yaml_mark_t) -> Bool {
            guard let tag = Self.string(tag), tag != "!" else { return true }
            if YAMLPreflight.allowedTags.contains(tag) { return true }
            let shown = tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst(18) : tag
            fail("unsupported YAML tag '\(Display.truncated(String(shown)))'", mark, hint: "remove the tag; values are plain strings, numbers and booleans")
            return false
        }

        static func string(_ pointer: UnsafeMutablePointer<yaml_char_t>?) -> String? {
            pointer.map { String(cString: UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self)) }
        }
    }
}
