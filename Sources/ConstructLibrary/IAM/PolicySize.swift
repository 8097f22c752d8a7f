import CloudFormation

/// IAM's size limits, and how big a statement is in the template.
enum PolicySize {
    /// Inline policies of a role, together: 10,240 characters; kept below for margin.
    static let inlineBudget = 10_000
    /// One managed policy: 6,144 characters.
    static let managedBudget = 6_000
    static let managedPerRole = 10
    /// `{"Version":"2012-10-17","Statement":[]}`
    static let documentOverhead = 40

    /// A reference not resolved yet counts as a long ARN would.
    static let referenceEstimate = 120

    static func size(_ statement: PolicyStatement) -> Int { size(statement.render()) }

    /// The compact JSON length, references estimated (they resolve after the split is made).
    static func size(_ value: TemplateValue) -> Int {
        switch value {
        case .string(let s): return s.utf8.count + 2
        case .int(let i): return String(i).count
        case .double(let d): return String(d).count
        case .bool(let b): return b ? 4 : 5
        case .null: return 4
        case .reference: return referenceEstimate
        case .array(let a): return 2 + a.map(size).reduce(0, +) + max(0, a.count - 1)
        case .object(let o):
            let pairs = o.map { $0.key.utf8.count + 3 + size($0.value) }
            return 2 + pairs.reduce(0, +) + max(0, pairs.count - 1)
        }
    }

    /// The statement, or statements over slices of its resources that each fit `limit`.
    /// Sizes add up per resource (no re-rendering), so a statement over thousands of ARNs
    /// is cut in linear time.
    static func split(_ statement: PolicyStatement, limit: Int) -> [PolicyStatement] {
        guard statement.resources.count > 1, size(statement) > limit else { return [statement] }
        var empty = statement
        empty.resources = [.string("")]
        empty.sid = statement.sid.map { $0 + "999" }
        let base = size(empty) - 2  // the one empty string's quotes
        var pieces: [PolicyStatement] = []
        var current = statement
        current.resources = []
        var currentSize = base
        for resource in statement.resources {
            let add = size(resource) + (current.resources.isEmpty ? 0 : 1)
            if !current.resources.isEmpty && currentSize + add > limit {
                pieces.append(current)
                current.resources = []
                currentSize = base
            }
            currentSize += size(resource) + (current.resources.isEmpty ? 0 : 1)
            current.resources.append(resource)
        }
        if !current.resources.isEmpty { pieces.append(current) }
        if let sid = statement.sid {
            for i in pieces.indices { pieces[i].sid = sid + String(i + 1) }
        }
        return pieces
    }
}
