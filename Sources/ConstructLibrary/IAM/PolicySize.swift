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
    static func split(_ statement: PolicyStatement, limit: Int) -> [PolicyStatement] {
        guard size(statement) > limit, statement.resources.count > 1 else { return [statement] }
        var pieces: [PolicyStatement] = []
        var current = statement
        current.resources = []
        current.sid = nil
        for resource in statement.resources {
            var next = current
            next.resources.append(resource)
            if !current.resources.isEmpty && size(next) > limit {
                pieces.append(current)
                current.resources = [resource]
            } else {
                current = next
            }
        }
        if !current.resources.isEmpty { pieces.append(current) }
        if let sid = statement.sid {
            for i in pieces.indices { pieces[i].sid = sid + String(i + 1) }
        }
        return pieces
    }
}
