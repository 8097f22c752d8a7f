/// Text of a stack's diff, like `cdk diff`: security changes first (what a reviewer must
/// see), then resources with property-level old → new values.
public struct DiffRenderer: Sendable {
    public var color: Bool
    /// Values longer than this are shortened in change lines.
    public var maxValueLength = 120
    /// The terminal's columns: tables shrink to fit, or become lists where they cannot.
    public var width: Int?

    public init(color: Bool = false, width: Int? = nil) {
        self.color = color
        self.width = width
    }

    func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    public func render(stack: String, _ diff: TemplateDiff, deployed: Bool) -> String {
        var out = paint("Stack \(stack)", "1") + (deployed ? "" : " (not deployed: everything is new)") + "\n"
        if diff.isEmpty { return out + "There were no differences\n" }
        if !diff.iam.isEmpty {
            out += "IAM Statement Changes\n"
            out += table(["", "Resource", "Effect", "Action", "Principal", "Condition"],
                         diff.iam.map { [$0.kind.rawValue, $0.resource, $0.effect, $0.actions, $0.principal, $0.condition] })
        }
        if !diff.securityGroups.isEmpty {
            out += "Security Group Changes\n"
            out += table(["", "Group", "Dir", "Protocol", "Ports", "Peer"],
                         diff.securityGroups.map { [$0.kind.rawValue, $0.group, $0.direction, $0.protocolName, $0.ports, $0.peer] })
        }
        if diff.isBroadening {
            out += paint("(These changes broaden permissions or network access; deploy asks before applying them.)", "33") + "\n"
        }
        if !diff.dataLoss.isEmpty {
            out += paint("Data at risk: \(diff.dataLoss.map { "\($0.type) \($0.logicalId) (\($0.cause.rawValue))" }.joined(separator: ", "))."
                         + " deploy stops before this unless you confirm or pass --allow-destroy-data.", "31;1") + "\n"
        }
        if !diff.parameters.isEmpty {
            out += "Parameters\n"
            for p in diff.parameters { out += valueLine(p) }
        }
        if !diff.resources.isEmpty {
            out += "Resources\n"
            for r in diff.resources { out += resource(r, dataLoss: diff.dataLoss.first { $0.logicalId == r.logicalId }) }
        }
        if !diff.outputs.isEmpty {
            out += "Outputs\n"
            for o in diff.outputs { out += valueLine(o) }
        }
        if !diff.other.isEmpty { out += "Other changes: \(diff.other.joined(separator: ", "))\n" }
        return out
    }

    func valueLine(_ c: TemplateDiff.ValueChange) -> String {
        let mark = c.old == nil ? "[+]" : c.new == nil ? "[-]" : "[~]"
        return "\(markColor(mark)) \(c.name)" + (c.old != nil && c.new != nil ? ": \(short(c.old)) → \(short(c.new))" : "") + "\n"
    }

    func markColor(_ mark: String) -> String {
        switch mark {
        case "[+]": paint(mark, "32")
        case "[-]": paint(mark, "31")
        default: paint(mark, "33")
        }
    }

    func resource(_ r: TemplateDiff.ResourceChange, dataLoss: DataLoss? = nil) -> String {
        var line = "\(markColor("[\(r.kind.rawValue)]")) \(r.type) \(r.logicalId)"
        if let path = r.path { line += " " + paint(path, "2") }
        switch r.replacement {
        case .always: line += paint(" replace", "31")
        case .conditional: line += paint(" may be replaced", "33")
        case .never: break
        }
        if r.kind == .removed && r.retainedOnRemoval { line += " (retained: DeletionPolicy Retain keeps it in the account)" }
        var out = line + "\n"
        if let dataLoss {
            out += paint(" ⚠ deletes data: the \(dataLoss.cause == .removal ? "removal" : "replacement") deletes this \(r.type) and what it holds", "31") + "\n"
        }
        if r.replacementWillFail {
            out += paint(" ⚠ the replacement keeps its custom name and will fail: change the name too, or remove the resource first", "31") + "\n"
        }
        guard r.kind == .modified else { return out }
        let leaves = r.properties.flatMap { p in
            Self.leaves(p.old, p.new, path: p.name).map { (name: $0.path, old: $0.old, new: $0.new, replacement: p.replacement) }
        }
        for (i, p) in leaves.enumerated() {
            let branch = i == leaves.count - 1 && r.attributes.isEmpty ? " └─" : " ├─"
            var text = "\(branch) [~] \(p.name): \(short(p.old)) → \(short(p.new))"
            switch p.replacement {
            case .always: text += paint(" (requires replacement)", "31")
            case .conditional: text += paint(" (may cause replacement)", "33")
            case .never: break
            }
            out += text + "\n"
        }
        for (i, a) in r.attributes.enumerated() {
            out += (i == r.attributes.count - 1 ? " └─" : " ├─") + " [~] \(a)\n"
        }
        return out
    }

    /// Descends into objects so a change deep in a map shows as `Environment.Variables.X`.
    static func leaves(_ a: JSONValue?, _ b: JSONValue?, path: String) -> [(path: String, old: JSONValue?, new: JSONValue?)] {
        if case .object(let x)? = a, case .object(let y)? = b, !(a?.isDynamic ?? false) || x.keys.contains(where: { !$0.hasPrefix("Fn::") && $0 != "Ref" }) {
            return Set(x.keys).union(y.keys).sorted().filter { x[$0] != y[$0] }.flatMap { leaves(x[$0], y[$0], path: path + "." + $0) }
        }
        return [(path, a, b)]
    }

    func short(_ v: JSONValue?) -> String {
        guard let v else { return "(absent)" }
        let s = v.stringValue ?? v.compact
        return s.count > maxValueLength ? String(s.prefix(maxValueLength - 1)) + "…" : s
    }

    func table(_ header: [String], _ rows: [[String]]) -> String {
        let cells = ([header] + rows).map { $0.map { $0.count > 60 ? String($0.prefix(59)) + "…" : $0 } }
        var widths = header.indices.map { i in cells.map { $0[i].count }.max() ?? 0 }
        // Borders take 3 columns per cell and one more; shrink the widest column first.
        let available = (width ?? Int.max) - (3 * widths.count + 1)
        let minimum = 6
        if widths.reduce(0, +) > available {
            guard available >= minimum * widths.count else { return list(header, rows) }
            while widths.reduce(0, +) > available, let i = widths.indices.max(by: { widths[$0] < widths[$1] }), widths[i] > minimum {
                widths[i] -= 1
            }
        }
        func fit(_ s: String, _ w: Int) -> String {
            let cut = s.count > w ? String(s.prefix(w - 1)) + "…" : s
            return cut.padding(toLength: w, withPad: " ", startingAt: 0)
        }
        func line(_ l: String, _ m: String, _ r: String) -> String {
            l + widths.map { String(repeating: "─", count: $0 + 2) }.joined(separator: m) + r + "\n"
        }
        func row(_ r: [String]) -> String {
            "│" + r.enumerated().map { " " + fit($0.element, widths[$0.offset]) + " " }.joined(separator: "│") + "│\n"
        }
        var out = line("┌", "┬", "┐") + row(cells[0]) + line("├", "┼", "┤")
        for r in cells.dropFirst() { out += row(r) }
        return out + line("└", "┴", "┘")
    }

    /// Too narrow for a table: one entry per row, `Header: value` lines, each within the width.
    func list(_ header: [String], _ rows: [[String]]) -> String {
        let limit = max(20, width ?? 80)
        var out = ""
        for r in rows {
            for (i, value) in r.enumerated() where !value.isEmpty {
                let text = i == 0 ? value : "  \(header[i]): \(value)"
                out += (text.count > limit ? String(text.prefix(limit - 1)) + "…" : text) + "\n"
            }
        }
        return out
    }
}
