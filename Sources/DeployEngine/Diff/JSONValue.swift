import Foundation

/// A template as data, for comparing what is deployed with what was synthesized. Parsed
/// from JSON (GetTemplate answers with the body that was sent; tsdeploy always sends JSON).
public indirect enum JSONValue: Equatable, Sendable {
    case null, bool(Bool), number(Double), string(String), array([JSONValue]), object([String: JSONValue])

    public static func parse(_ text: String) throws -> JSONValue {
        let object = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        return from(object)
    }

    static func from(_ any: Any) -> JSONValue {
        switch any {
        case let s as String: return .string(s)
        case let n as NSNumber:
            // JSONSerialization answers booleans as NSNumbers of Objective-C type "c".
            if String(cString: n.objCType) == "c" { return .bool(n.boolValue) }
            return .number(n.doubleValue)
        case let a as [Any]: return .array(a.map(from))
        case let o as [String: Any]: return .object(o.mapValues(from))
        default: return .null
        }
    }

    public subscript(key: String) -> JSONValue? {
        if case .object(let o) = self { return o[key] }
        return nil
    }

    public var objectValue: [String: JSONValue] { if case .object(let o) = self { o } else { [:] } }
    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var arrayValue: [JSONValue] {
        switch self {
        case .array(let a): a
        case .null: []
        default: [self]
        }
    }

    /// A template resource whose DeletionPolicy keeps it when it leaves the stack.
    public var isRetainedOnDelete: Bool {
        let policy = self["DeletionPolicy"]?.stringValue
        return policy == "Retain" || policy == "RetainExceptOnCreate"
    }

    /// Contains `Ref`/`Fn::*`: its value is only known at deploy time.
    public var isDynamic: Bool {
        switch self {
        case .object(let o): o.keys.contains { $0 == "Ref" || $0.hasPrefix("Fn::") } || o.values.contains(where: \.isDynamic)
        case .array(let a): a.contains(where: \.isDynamic)
        default: false
        }
    }

    /// Compact, key-sorted JSON, for tables and change lines.
    public var compact: String {
        switch self {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .string(let s): return "\"" + s.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
        case .array(let a): return "[" + a.map(\.compact).joined(separator: ",") + "]"
        case .object(let o): return "{" + o.keys.sorted().map { "\"\($0)\":" + o[$0]!.compact }.joined(separator: ",") + "}"
        }
    }
}

extension JSONValue {
    /// A value as a reviewer reads it: intrinsics as `${Logical.Attr}` and `${Param}`,
    /// `Fn::Sub` as its string, joins concatenated; other structures compact.
    public var readable: String {
        switch self {
        case .string(let s): return s
        case .array(let a): return a.map(\.readable).joined(separator: ", ")
        case .object(let o) where o.keys.allSatisfy({ ["AWS", "Service", "Federated", "CanonicalUser"].contains($0) }):
            return o.keys.sorted().map { o[$0]!.readable }.joined(separator: ", ")
        case .object(let o) where o.count == 1:
            let (key, value) = (o.keys.first!, o.values.first!)
            switch key {
            case "Ref": return "${\(value.stringValue ?? value.compact)}"
            case "Fn::GetAtt":
                if let s = value.stringValue { return "${\(s)}" }
                return "${" + value.arrayValue.map { $0.stringValue ?? $0.readable }.joined(separator: ".") + "}"
            case "Fn::Sub":
                return value.stringValue ?? value.arrayValue.first?.stringValue ?? value.compact
            case "Fn::Join":
                let parts = value.arrayValue
                guard parts.count == 2 else { return compact }
                return parts[1].arrayValue.map(\.readable).joined(separator: parts[0].stringValue ?? "")
            case "Fn::ImportValue": return "import(\(value.readable))"
            default: return compact
            }
        default: return compact
        }
    }
}
