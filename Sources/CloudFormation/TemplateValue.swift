/// A CloudFormation value: JSON with ordered keys, plus a pending reference to a
/// construct that the construct core resolves before rendering.
///
/// Key order is part of the output contract: two synths must be byte-identical and
/// diffs must stay readable, so objects keep insertion order instead of hashing.
public indirect enum TemplateValue: Sendable, Hashable {
    case string(String)
    case int(Int)
    case double(Double)
    case bool(Bool)
    case null
    case array([TemplateValue])
    case object(OrderedObject)
    /// A reference to another construct by path, resolved during synthesis into `Ref`,
    /// `Fn::GetAtt`, or a cross-stack wiring. Never rendered as is.
    case reference(Reference)
}

/// A not-yet-resolved pointer at a construct's value (`attribute == nil` means `Ref`).
public struct Reference: Sendable, Hashable, CustomStringConvertible {
    public let targetPath: String
    public let attribute: String?
    public init(targetPath: String, attribute: String? = nil) {
        self.targetPath = targetPath
        self.attribute = attribute
    }
    public var description: String { "${Token[\(targetPath)\(attribute.map { "." + $0 } ?? "")]}" }
}

extension TemplateValue: ExpressibleByStringLiteral, ExpressibleByIntegerLiteral, ExpressibleByBooleanLiteral,
    ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral, ExpressibleByFloatLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(arrayLiteral elements: TemplateValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) {
        self = .object(OrderedObject(elements))
    }
}

extension TemplateValue {
    public var stringValue: String? { if case .string(let s) = self { return s } else { return nil } }
    public var objectValue: OrderedObject? { if case .object(let o) = self { return o } else { return nil } }
    public var arrayValue: [TemplateValue]? { if case .array(let a) = self { return a } else { return nil } }

    /// Member access for objects; `nil` for anything else.
    public subscript(key: String) -> TemplateValue? { objectValue?[key] }

    /// Rewrites every value bottom-up; used to resolve references.
    public func map(_ transform: (TemplateValue) throws -> TemplateValue) rethrows -> TemplateValue {
        switch self {
        case .array(let items):
            return try transform(.array(items.map { try $0.map(transform) }))
        case .object(let object):
            var out = OrderedObject()
            for (k, v) in object { out[k] = try v.map(transform) }
            return try transform(.object(out))
        default:
            return try transform(self)
        }
    }

    /// The value with every reference replaced by `transform`'s answer; when it holds none,
    /// the value itself, its storage shared rather than copied (most of a template).
    public func replacingReferences(_ transform: (Reference) throws -> TemplateValue) rethrows -> TemplateValue {
        try replaced(transform) ?? self
    }

    private func replaced(_ transform: (Reference) throws -> TemplateValue) rethrows -> TemplateValue? {
        switch self {
        case .reference(let r):
            return try transform(r)
        case .array(let items):
            var out: [TemplateValue]?
            for (i, item) in items.enumerated() {
                guard let new = try item.replaced(transform) else { continue }
                if out == nil { out = items }
                out![i] = new
            }
            return out.map { .array($0) }
        case .object(let object):
            var out: OrderedObject?
            for (k, v) in object {
                guard let new = try v.replaced(transform) else { continue }
                if out == nil { out = object }
                out![k] = new
            }
            return out.map { .object($0) }
        default:
            return nil
        }
    }

    /// Visits every value depth-first.
    public func forEach(_ body: (TemplateValue) throws -> Void) rethrows {
        try body(self)
        switch self {
        case .array(let items): for i in items { try i.forEach(body) }
        case .object(let o): for (_, v) in o { try v.forEach(body) }
        default: break
        }
    }

    /// True when the value, anywhere inside, holds an unresolved reference.
    public var containsReference: Bool {
        var found = false
        forEach { if case .reference = $0 { found = true } }
        return found
    }
}
