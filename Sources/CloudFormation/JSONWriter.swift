/// Renders values as JSON, keeping key order. Indentation follows `cdk synth`
/// (one space per level) so that templates diff cleanly against CDK output.
public struct JSONWriter: Sendable {
    public var indent: String
    public init(indent: String = " ") { self.indent = indent }

    public func string(_ value: TemplateValue) -> String {
        var out = ""
        out.reserveCapacity(4096)
        write(value, level: 0, into: &out)
        return out
    }

    /// Single-line JSON, used for policy documents and compact comparisons.
    public static func compact(_ value: TemplateValue) -> String {
        var out = ""
        JSONWriter(indent: "").writeCompact(value, into: &out)
        return out
    }

    /// The length in bytes of `compact(value)`, without building it (the template size check).
    public static func compactByteCount(_ value: TemplateValue) -> Int {
        switch value {
        case .string(let s): return escapedByteCount(s)
        case .int(let n): return String(n).utf8.count
        case .double(let d): return format(d).utf8.count
        case .bool(let b): return b ? 4 : 5
        case .null: return 4
        case .array(let items): return 2 + max(0, items.count - 1) + items.reduce(0) { $0 + compactByteCount($1) }
        case .object(let object):
            var n = 2 + max(0, object.count - 1)
            for (k, v) in object { n += escapedByteCount(k) + 1 + compactByteCount(v) }
            return n
        case .reference(let r):
            preconditionFailure("unresolved reference \(r) reached the JSON writer")
        }
    }

    static func escapedByteCount(_ s: String) -> Int {
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) { return s.utf8.count + 2 }
        var out = ""
        escape(s, into: &out)
        return out.utf8.count
    }

    private func write(_ value: TemplateValue, level: Int, into out: inout String) {
        switch value {
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, item) in items.enumerated() {
                pad(level + 1, &out)
                write(item, level: level + 1, into: &out)
                out += i == items.count - 1 ? "\n" : ",\n"
            }
            pad(level, &out)
            out += "]"
        case .object(let object):
            if object.isEmpty { out += "{}"; return }
            out += "{\n"
            var i = 0
            for (k, v) in object {
                pad(level + 1, &out)
                JSONWriter.escape(k, into: &out)
                out += ": "
                write(v, level: level + 1, into: &out)
                i += 1
                out += i == object.count ? "\n" : ",\n"
            }
            pad(level, &out)
            out += "}"
        default:
            writeCompact(value, into: &out)
        }
    }

    private func writeCompact(_ value: TemplateValue, into out: inout String) {
        switch value {
        case .string(let s): JSONWriter.escape(s, into: &out)
        case .int(let n): out += String(n)
        case .double(let d): out += JSONWriter.format(d)
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        case .array(let items):
            out += "["
            for (i, item) in items.enumerated() {
                if i > 0 { out += "," }
                writeCompact(item, into: &out)
            }
            out += "]"
        case .object(let object):
            out += "{"
            var first = true
            for (k, v) in object {
                if !first { out += "," }
                first = false
                JSONWriter.escape(k, into: &out)
                out += ":"
                writeCompact(v, into: &out)
            }
            out += "}"
        case .reference(let r):
            preconditionFailure("unresolved reference \(r) reached the JSON writer")
        }
    }

    private func pad(_ level: Int, _ out: inout String) {
        if indent == " " {
            out += Self.spaces[min(level, Self.spaces.count - 1)]
            if level >= Self.spaces.count { for _ in Self.spaces.count - 1..<level { out += " " } }
        } else {
            for _ in 0..<level { out += indent }
        }
    }

    private static let spaces: [String] = (0..<32).map { String(repeating: " ", count: $0) }

    static func format(_ d: Double) -> String {
        if d.isFinite, d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return "\(d)"
    }

    /// `yaml`: also escape what YAML readers do not take literally inside double quotes:
    /// DEL, the C1 controls (NEL is a line break to them), a byte-order mark, U+FFFE/U+FFFF.
    static func escape(_ s: String, into out: inout String, yaml: Bool = false) {
        out += "\""
        // Almost every string is plain printable ASCII: copied whole.
        if s.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }) {
            out += s
            out += "\""
            return
        }
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{08}": out += "\\b"
            case "\u{0C}": out += "\\f"
            default:
                let v = scalar.value
                if v < 0x20 || v == 0x2028 || v == 0x2029
                    || (yaml && ((0x7F...0x9F).contains(v) || v == 0xFEFF || v == 0xFFFE || v == 0xFFFF)) {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }
}
