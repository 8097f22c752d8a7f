/// Which branch names tsdeploy accepts. Every stack, function, role and rule name derives
/// from the branch, and the branch reaches CodePipeline's source and the functions'
/// environment; a name that git would refuse, or that maps onto another branch's names
/// once characters are dropped or case-folded, could touch that other branch's stacks
/// (`main ` or `Main` would update production's).
public enum BranchName {
    public struct Invalid: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var hint: String
        public var description: String { message + "\n  hint: " + hint }
    }

    public static let maxLength = 100
    static let separators: Set<Character> = ["-", "_", ".", "/"]

    public static func validate(_ branch: String) throws(Invalid) {
        if let (message, hint) = problem(branch) { throw Invalid(message: message, hint: hint) }
    }

    /// nil for a usable branch name, else what is wrong and what to do.
    public static func problem(_ branch: String) -> (String, String)? {
        let shown = "'\(Display.truncated(branch))'"
        let gitHint = "use the name git shows in `git branch`"
        if branch.isEmpty { return ("the branch must not be empty", gitHint) }
        // git check-ref-format --branch
        if branch.hasPrefix("-") { return ("the branch \(shown) starts with '-', which git does not allow (it would read as an option)", gitHint) }
        if branch == "@" || branch.contains("@{") || branch.contains("..") || branch.contains("//")
            || branch.hasPrefix("/") || branch.hasSuffix("/") || branch.hasSuffix(".") || branch.hasSuffix(".lock")
            || branch.split(separator: "/").contains(where: { $0.hasPrefix(".") || $0.hasSuffix(".lock") }) {
            return ("\(shown) is not a valid git branch name", gitHint)
        }
        if let bad = branch.unicodeScalars.first(where: { !Self.allowed($0) }) {
            let what = bad.value < 0x21 || (0x7F...0x9F).contains(bad.value) ? "a space or control character" : "'\(Display.escaped(bad))'"
            return ("the branch \(shown) contains \(what); tsdeploy derives AWS names from the branch and accepts only "
                    + "letters, digits, '-', '_', '.' and '/'", "rename the branch (`git branch -m NEW`)")
        }
        if branch.count > maxLength {
            return ("the branch \(shown) is longer than \(maxLength) characters", "use a shorter branch name")
        }
        // Names are lower-case and runs of separators collapse: such a branch would share
        // every resource name with the branch below.
        let canonical = canonicalForm(branch)
        if canonical != branch {
            return ("the branch \(shown) derives the same AWS names as branch '\(canonical)' "
                    + (branch.lowercased() != branch ? "(names are lower-case)" : "(separators at the ends or in a row are dropped)"),
                    "use '\(canonical)' or another name; deploying \(shown) would update that branch's stacks")
        }
        return nil
    }

    static func allowed(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "a"..."z", "A"..."Z", "0"..."9", "-", "_", ".", "/": return true
        default: return false
        }
    }

    /// Lower-cased, without separators at either end or in a row: the branch whose names
    /// these are.
    static func canonicalForm(_ branch: String) -> String {
        var out = ""
        for c in branch.lowercased() {
            if separators.contains(c), let last = out.last, separators.contains(last) { continue }
            out.append(c)
        }
        while let f = out.first, separators.contains(f) { out.removeFirst() }
        while let l = out.last, separators.contains(l) { out.removeLast() }
        return out.isEmpty ? "main" : out
    }
}
