/// Renders values as block-style YAML, like `cdk synth` prints them.
///
/// Strings stay plain only when no YAML 1.1 or 1.2 reader could take them for anything
/// else (a number, a boolean, null, a date, an alias, a comment); everything else is
/// double-quoted with JSON-compatible escapes, which every YAML reader accepts.
public struct YAMLWriter: Sendable {
    public init() {}

    public func string(_ value: TemplateValue) -> String {
        var out = ""
        out.reserveCapacity(4096)
        switch value {
        case .object(let o) where !o.isEmpty: writeObject(o, indent: 0, into: &out)
        case .array(let a) where !a.isEmpty: writeArray(a, indent: 0, into: &out)
        default: out += scalar(value) + "\n"
        }
        return out
    }

    private func writeObject(_ object: OrderedObject, indent: Int, into out: inout String, firstInline: Bool = false) {
        var first = true
        for (key, value) in object {
            if !(first && firstInline) { out += String(repeating: " ", count: indent) }
            first = false
            out += YAMLWriter.quoteIfNeeded(key)
            out += ":"
            writeNested(value, indent: indent, into: &out)
        }
    }

    private func writeArray(_ items: [TemplateValue], indent: Int, into out: inout String, firstInline: Bool = false) {
        for (i, item) in items.enumerated() {
            if !(i == 0 && firstInline) { out += String(repeating: " ", count: indent) }
            out += "-"
            switch item {
            case .object(let o) where !o.isEmpty:
                out += " "
                writeObject(o, indent: indent + 2, into: &out, firstInline: true)
            case .array(let a) where !a.isEmpty:
                out += " "
                writeArray(a, indent: indent + 2, into: &out, firstInline: true)
            default:
                out += " " + scalar(item) + "\n"
            }
        }
    }

    /// The value after `key:` — inline for scalars, on following lines for collections.
    private func writeNested(_ value: TemplateValue, indent: Int, into out: inout String) {
        switch value {
        case .object(let o) where !o.isEmpty:
            out += "\n"
            writeObject(o, indent: indent + 2, into: &out)
        case .array(let a) where !a.isEmpty:
            out += "\n"
            writeArray(a, indent: indent + 2, into: &out)
        default:
            out += " " + scalar(value) + "\n"
        }
    }

    private func scalar(_ value: TemplateValue) -> String {
        switch value {
        case .string(let s): return YAMLWriter.quoteIfNeeded(s)
        case .int(let n): return String(n)
        case .double(let d): return JSONWriter.format(d)
        case .bool(let b): return b ? "true" : "false"
        case .null: return "null"
        case .array: return "[]"
        case .object: return "{}"
        case .reference(let r): preconditionFailure("unresolved reference \(r) reached the YAML writer")
        }
    }

    private static let reserved: Set<String> = [
        "true", "false", "yes", "no", "on", "off", "y", "n", "null", "~",
    ]

    /// Plain when safe, else a double-quoted JSON string (valid YAML).
    static func quoteIfNeeded(_ s: String) -> String {
        if isPlainSafe(s) { return s }
        var out = ""
        JSONWriter.escape(s, into: &out, yaml: true)
        return out
    }

    static func isPlainSafe(_ s: String) -> Bool {
        guard let first = s.unicodeScalars.first, let last = s.unicodeScalars.last else { return false }
        // A leading letter, `/` or `_` rules out numbers, dates, indicators and aliases.
        guard isLetter(first) || first == "/" || first == "_"
        else { return false }
        if last == " " || last == ":" { return false }
        if reserved.contains(s.lowercased()) { return false }
        if s.hasPrefix(".") { return false }
        var previous: Unicode.Scalar = " "
        for c in s.unicodeScalars {
            switch c {
            case "a"..."z", "A"..."Z", "0"..."9", "_", "-", ".", "/", "(", ")", "*", "?", "+", "=", "@", "$", "^", "<", ">", ";":
                break
            case " ":
                if previous == " " || previous == ":" { return false }
            case ":":
                break
            default:
                return false
            }
            if previous == ":" && c == " " { return false }
            previous = c
        }
        return true
    }

    private static func isLetter(_ c: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(c) || ("A"..."Z").contains(c)
    }
}
