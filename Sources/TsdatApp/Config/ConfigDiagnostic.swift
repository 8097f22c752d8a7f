/// A problem in the user's config file, located to line and column.
public struct ConfigDiagnostic: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable { case error, warning }
    public var severity: Severity
    public var file: String
    public var line: Int
    public var column: Int
    public var message: String
    /// A suggestion, e.g. "did you mean 'schedule'?".
    public var hint: String?

    public var description: String {
        "\(file):\(line):\(column): \(severity.rawValue): \(message)" + (hint.map { " (\($0))" } ?? "")
    }

    /// The diagnostic with the offending source line and a caret under the column,
    /// the way compilers show them.
    public func rendered(source: String) -> String {
        var out = description
        if let (text, caret) = SourceLines.excerpt(source, line: line, column: column) {
            let gutter = String(line)
            out += "\n \(gutter) | \(text)"
            out += "\n \(String(repeating: " ", count: gutter.count)) | " + String(repeating: " ", count: caret) + "^"
        }
        return out
    }
}

/// All the errors of one config file, thrown together so the user fixes them in one pass.
public struct ConfigErrors: Error, CustomStringConvertible {
    public var diagnostics: [ConfigDiagnostic]
    public var source: String

    public var description: String {
        let errors = diagnostics.filter { $0.severity == .error }
        return diagnostics.map { $0.rendered(source: source) }.joined(separator: "\n")
            + "\n\(errors.count) error\(errors.count == 1 ? "" : "s") in \(diagnostics.first?.file ?? "the config")"
    }
}

public enum DidYouMean {
    /// The closest candidate within a small edit distance, case-insensitively.
    public static func suggest(_ word: String, among candidates: [String]) -> String? {
        // A typo is a slip of a few characters: longer input is not a misspelt key, and
        // comparing a megabyte against every candidate would cost seconds.
        guard word.unicodeScalars.count <= 64 else { return nil }
        let w = word.lowercased()
        if let exact = candidates.first(where: { $0.lowercased() == w }) { return exact }
        let scored = candidates.map { ($0, distance(w, $0.lowercased())) }.sorted { $0.1 < $1.1 }
        guard let best = scored.first else { return nil }
        return best.1 <= max(2, max(word.count, best.0.count) / 3) ? best.0 : nil
    }

    /// Optimal-string-alignment distance: insertions, deletions, substitutions and
    /// adjacent transpositions ("shcedule" is one slip from "schedule").
    public static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a.prefix(256)), b = Array(b.prefix(256))
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var d = [[Int]](repeating: [Int](repeating: 0, count: b.count + 1), count: a.count + 1)
        for i in 0...a.count { d[i][0] = i }
        for j in 0...b.count { d[0][j] = j }
        for i in 1...a.count {
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] {
                    d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
                }
            }
        }
        return d[a.count][b.count]
    }
}
