import CloudFormation

/// Refuses policies that allow every action. Runs over rendered templates, so it also
/// catches statements written by hand into raw properties.
public enum LeastPrivilege {
    public struct Violation: Sendable, CustomStringConvertible {
        public var logicalId: String
        public var action: String
        public var description: String {
            "resource \(logicalId) allows the action '\(action)'; name the actions it needs instead"
        }
    }

    public static func violations(in template: Template) -> [Violation] {
        var out: [Violation] = []
        for resource in template.resources {
            TemplateValue.object(resource.properties).forEach { value in
                guard let statement = value.objectValue, statement["Effect"] == "Allow" else { return }
                let actions: [TemplateValue] = statement["Action"].map { $0.arrayValue ?? [$0] } ?? []
                for case .string(let action) in actions where action == "*" || action == "*:*" {
                    out.append(Violation(logicalId: resource.logicalId, action: action))
                }
            }
        }
        return out
    }
}
