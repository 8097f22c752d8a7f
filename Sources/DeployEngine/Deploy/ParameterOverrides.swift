import Foundation

/// `--parameters` as given (`KEY=VALUE` for every stack that has KEY, `STACK:KEY=VALUE`
/// for one, STACK being its name or id), checked against the stacks' parameters: a key
/// that no stack has, or a value the parameter's AllowedPattern/AllowedValues refuses,
/// is an error before anything is sent.
public enum ParameterOverrides {
    /// Stack name → parameter → value.
    public static func resolve(_ raw: [String: String], stacks: [DeployableStack]) throws -> [String: [String: String]] {
        var out: [String: [String: String]] = [:]
        for (given, value) in raw.sorted(by: { $0.key < $1.key }) {
            var targets = stacks
            var key = given
            if let colon = given.lastIndex(of: ":") {
                let stackPart = String(given[..<colon])
                key = String(given[given.index(after: colon)...])
                targets = stacks.filter { $0.name == stackPart || $0.displayName == stackPart }
                guard !targets.isEmpty else {
                    throw DeployError("--parameters \(given): no stack '\(stackPart)' in this deployment",
                                      hint: "stacks: " + stacks.map { "\($0.displayName) (\($0.name))" }.joined(separator: ", "))
                }
            }
            let having = targets.filter { $0.parameterDefaults.keys.contains(key) }
            guard !having.isEmpty else {
                let known = Set(targets.flatMap(\.parameterDefaults.keys)).sorted()
                let close = known.first { $0.lowercased() == key.lowercased() }
                throw DeployError("--parameters \(given): no parameter '\(key)' in \(targets.map(\.displayName).joined(separator: ", "))",
                                  hint: (close.map { "did you mean '\($0)'? " } ?? "") + "parameters: "
                                      + (known.isEmpty ? "none" : known.joined(separator: ", ")))
            }
            for stack in having {
                if let problem = problem(value, for: key, in: stack) {
                    throw DeployError("--parameters \(given): '\(value)' is not a valid value for \(key): \(problem)")
                }
                out[stack.name, default: [:]][key] = value
            }
        }
        return out
    }

    static func problem(_ value: String, for key: String, in stack: DeployableStack) -> String? {
        let parameter = stack.template["Parameters"]?[key]
        if let allowed = parameter?["AllowedValues"]?.arrayValue.compactMap(\.stringValue), !allowed.isEmpty, !allowed.contains(value) {
            return "one of \(allowed.joined(separator: ", "))"
        }
        if let pattern = parameter?["AllowedPattern"]?.stringValue,
           let regex = try? NSRegularExpression(pattern: "^(?:" + pattern + ")$"),
           regex.firstMatch(in: value, range: NSRange(value.startIndex..., in: value)) == nil {
            return parameter?["ConstraintDescription"]?.stringValue ?? "it must match \(pattern)"
        }
        return nil
    }
}
