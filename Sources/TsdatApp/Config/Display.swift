/// How user input is echoed in messages: never more than a line's worth, never a raw
/// control character (a value can be a megabyte, or carry escape sequences).
public enum Display {
    public static func truncated(_ s: String, max: Int = 60) -> String {
        var out = ""
        var count = 0
        for scalar in s.unicodeScalars {
            if count == max {
                return out + "… (\(s.unicodeScalars.count) characters)"
            }
            out += escaped(scalar)
            count += 1
        }
        return out
    }

    static func escaped(_ scalar: Unicode.Scalar) -> String {
        switch scalar.value {
        case 0x0A: return "\\n"
        case 0x0D: return "\\r"
        case 0x09: return "\\t"
        case 0..<0x20, 0x7F...0x9F, 0x2028, 0x2029, 0xFEFF:
            return "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
        default: return String(scalar)
        }
    }

    /// Whether `s` holds a character no name or path should: C0 and C1 controls, DEL,
    /// line and paragraph separators, a byte-order mark.
    public static func hasControlCharacters(_ s: String) -> Bool {
        s.unicodeScalars.contains { escaped($0).hasPrefix("\\") }
    }
}

/// Lines as libyaml counts them: CR LF, CR, LF, NEL, LS and PS each end a line, so a
/// mark's line number finds the same text here.
public enum SourceLines {
    public static func split(_ source: String) -> [Substring.UnicodeScalarView] {
        let scalars = source.unicodeScalars
        var lines: [Substring.UnicodeScalarView] = []
        var start = scalars.startIndex
        var i = start
        while i < scalars.endIndex {
            let c = scalars[i]
            switch c.value {
            case 0x0A, 0x85, 0x2028, 0x2029:
                lines.append(scalars[start..<i])
                i = scalars.index(after: i)
                start = i
            case 0x0D:
                lines.append(scalars[start..<i])
                i = scalars.index(after: i)
                if i < scalars.endIndex, scalars[i] == "\n" { i = scalars.index(after: i) }
                start = i
            default:
                i = scalars.index(after: i)
            }
        }
        lines.append(scalars[start..<scalars.endIndex])
        return lines
    }

    /// Line `line` (1-based) of `source`, cut to a window of `width` characters around
    /// `column` with the caret's offset in that window; nil past the end.
    public static func excerpt(_ source: String, line: Int, column: Int, width: Int = 100) -> (text: String, caret: Int)? {
        let lines = split(source)
        guard line >= 1, line <= lines.count else { return nil }
        let scalars = Array(lines[line - 1])
        let col = max(0, min(column - 1, scalars.count))
        let start = scalars.count <= width ? 0 : max(0, min(col - width / 2, scalars.count - width))
        let end = min(scalars.count, start + width)
        var text = start > 0 ? "…" : ""
        var caret = start > 0 ? 1 : 0
        for (i, s) in scalars[start..<end].enumerated() {
            let shown = s == "\t" ? " " : Display.escaped(s)
            if i + start < col { caret += shown.count }
            text += shown
        }
        if end < scalars.count { text += "…" }
        return (text, caret)
    }
}
