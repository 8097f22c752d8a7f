/// A JSON object that keeps insertion order; assigning an existing key replaces in place.
public struct OrderedObject: Sendable, Hashable, Sequence, ExpressibleByDictionaryLiteral {
    public private(set) var keys: [String] = []
    private var storage: [String: TemplateValue] = [:]

    public init() {}
    public init<S: Sequence>(_ pairs: S) where S.Element == (String, TemplateValue) {
        for (k, v) in pairs { self[k] = v }
    }
    public init(dictionaryLiteral elements: (String, TemplateValue)...) { self.init(elements) }

    public var isEmpty: Bool { keys.isEmpty }
    public var count: Int { keys.count }

    public subscript(key: String) -> TemplateValue? {
        get { storage[key] }
        set {
            if let newValue {
                if storage.updateValue(newValue, forKey: key) == nil { keys.append(key) }
            } else if storage.removeValue(forKey: key) != nil {
                keys.removeAll { $0 == key }
            }
        }
    }

    /// Sets the key only when the value is present; keeps optional props terse.
    public mutating func set(_ key: String, _ value: TemplateValue?) {
        if let value { self[key] = value }
    }

    public func makeIterator() -> AnyIterator<(key: String, value: TemplateValue)> {
        var index = 0
        return AnyIterator {
            guard index < keys.count else { return nil }
            defer { index += 1 }
            let k = keys[index]
            return (k, storage[k]!)
        }
    }

    public static func == (lhs: OrderedObject, rhs: OrderedObject) -> Bool {
        lhs.keys == rhs.keys && lhs.storage == rhs.storage
    }
    public func hash(into hasher: inout Hasher) {
        hasher.combine(keys)
        for k in keys { hasher.combine(storage[k]) }
    }
}
