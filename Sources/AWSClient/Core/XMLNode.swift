import Foundation

/// A parsed XML element. Names are local names (namespace prefixes dropped), which is how
/// AWS responses are matched: the namespace differs by service and version.
public struct XMLNode: Sendable, Equatable {
    public var name: String
    public var attributes: [String: String]
    public var children: [XMLNode]
    public var text: String

    public init(name: String, attributes: [String: String] = [:], children: [XMLNode] = [], text: String = "") {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
    }

    public func child(_ name: String) -> XMLNode? { children.first { $0.name == name } }
    public func children(_ name: String) -> [XMLNode] { children.filter { $0.name == name } }
    /// The text of a direct child, nil when the child is absent.
    public func string(_ name: String) -> String? { child(name)?.text }
    /// `<name><member>…</member>…</name>`, the query protocol's list shape.
    public func members(_ name: String) -> [XMLNode] { child(name)?.children("member") ?? [] }
    public func bool(_ name: String) -> Bool? { string(name).map { $0 == "true" } }
    public func int(_ name: String) -> Int? { string(name).flatMap { Int($0) } }

    /// Depth-first search for the first element with this name (the node itself included).
    public func first(_ name: String) -> XMLNode? {
        if self.name == name { return self }
        for child in children { if let found = child.first(name) { return found } }
        return nil
    }

    /// AWS's responses are small, well-formed documents: elements, attributes, text,
    /// entities, CDATA, comments, the XML declaration. A parser of our own for exactly that
    /// keeps libxml2 (FoundationXML) out of the binary, which must link statically.
    public static func parse(_ data: Data) throws -> XMLNode {
        var parser = XMLScanner(Array(data))
        return try parser.document()
    }

    /// Serialises the element again (used to send back a configuration read from S3
    /// with one part changed). Text is escaped; whitespace-only text is dropped.
    public func xml(namespace: String? = nil) -> String {
        var out = "<\(name)"
        if let namespace { out += " xmlns=\"\(Self.escape(namespace))\"" }
        for (key, value) in attributes.sorted(by: { $0.key < $1.key }) { out += " \(key)=\"\(Self.escape(value))\"" }
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        if children.isEmpty && trimmed.isEmpty { return out + "/>" }
        out += ">"
        if children.isEmpty { out += Self.escape(text) }
        for child in children { out += child.xml() }
        return out + "</\(name)>"
    }

    static func escape(_ s: String) -> String {
        var out = ""
        for c in s {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            default: out.append(c)
            }
        }
        return out
    }
}

/// A recursive-descent reader over UTF-8 bytes; namespace prefixes are dropped from
/// element names and `xmlns` attributes are left out, as the tree's users expect.
struct XMLScanner {
    let bytes: [UInt8]
    var i = 0
    var depth = 0

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func fail(_ what: String) -> AWSResponseError { AWSResponseError("malformed XML: \(what) at byte \(i)") }

    mutating func document() throws -> XMLNode {
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { i = 3 }
        try skipMisc()
        guard i < bytes.count, bytes[i] == UInt8(ascii: "<") else { throw fail("no root element") }
        let root = try element()
        try skipMisc()
        guard i == bytes.count else { throw fail("content after the root element") }
        return root
    }

    /// Whitespace, comments, processing instructions and a doctype between elements.
    mutating func skipMisc() throws {
        while true {
            while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
            if starts("<?") { try skip(past: "?>") } else if starts("<!--") { try skip(past: "-->") }
            else if starts("<!DOCTYPE") { try skip(past: ">") } else { return }
        }
    }

    func starts(_ s: String) -> Bool {
        let u = Array(s.utf8)
        return i + u.count <= bytes.count && Array(bytes[i..<i + u.count]) == u
    }

    mutating func skip(past s: String) throws {
        let u = Array(s.utf8)
        while i + u.count <= bytes.count {
            if Array(bytes[i..<i + u.count]) == u { i += u.count; return }
            i += 1
        }
        throw fail("unterminated \(s)")
    }

    mutating func name() throws -> String {
        let start = i
        while i < bytes.count, !([0x20, 0x09, 0x0A, 0x0D, UInt8(ascii: ">"), UInt8(ascii: "/"), UInt8(ascii: "=")].contains(bytes[i])) { i += 1 }
        guard i > start else { throw fail("a name was expected") }
        return String(decoding: bytes[start..<i], as: UTF8.self)
    }

    mutating func spaces() { while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 } }

    mutating func element() throws -> XMLNode {
        depth += 1
        defer { depth -= 1 }
        guard depth < 256 else { throw fail("nesting too deep") }
        i += 1  // <
        let qualified = try name()
        var node = XMLNode(name: Self.local(qualified))
        while true {
            spaces()
            guard i < bytes.count else { throw fail("unterminated tag <\(qualified)") }
            if bytes[i] == UInt8(ascii: "/") {
                guard i + 1 < bytes.count, bytes[i + 1] == UInt8(ascii: ">") else { throw fail("'/>' expected") }
                i += 2
                return node
            }
            if bytes[i] == UInt8(ascii: ">") { i += 1; break }
            let key = try name()
            spaces()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "=") else { throw fail("'=' expected after \(key)") }
            i += 1
            spaces()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") || bytes[i] == UInt8(ascii: "'") else { throw fail("quoted value expected") }
            let quote = bytes[i]
            i += 1
            let start = i
            while i < bytes.count, bytes[i] != quote { i += 1 }
            guard i < bytes.count else { throw fail("unterminated attribute") }
            let value = try Self.decodeEntities(bytes[start..<i])
            i += 1
            if key != "xmlns", !key.hasPrefix("xmlns:") { node.attributes[key] = value }
        }
        var text: [UInt8] = []
        while true {
            guard i < bytes.count else { throw fail("unterminated element <\(qualified)>") }
            if bytes[i] != UInt8(ascii: "<") {
                let start = i
                while i < bytes.count, bytes[i] != UInt8(ascii: "<") { i += 1 }
                text += Array(try Self.decodeEntities(bytes[start..<i]).utf8)
            } else if starts("</") {
                i += 2
                let closing = try name()
                guard closing == qualified else { throw fail("</\(closing)> closes <\(qualified)>") }
                spaces()
                guard i < bytes.count, bytes[i] == UInt8(ascii: ">") else { throw fail("'>' expected") }
                i += 1
                node.text = String(decoding: text, as: UTF8.self)
                if !node.children.isEmpty, node.text.allSatisfy(\.isWhitespace) { node.text = "" }
                return node
            } else if starts("<![CDATA[") {
                i += 9
                let start = i
                try skip(past: "]]>")
                text += bytes[start..<(i - 3)]
            } else if starts("<!--") {
                try skip(past: "-->")
            } else if starts("<?") {
                try skip(past: "?>")
            } else {
                node.children.append(try element())
            }
        }
    }

    static func local(_ qualified: String) -> String {
        qualified.split(separator: ":").last.map(String.init) ?? qualified
    }

    /// `&lt;` `&gt;` `&amp;` `&quot;` `&apos;` and numeric references.
    static func decodeEntities(_ raw: ArraySlice<UInt8>) throws -> String {
        guard raw.contains(UInt8(ascii: "&")) else { return String(decoding: raw, as: UTF8.self) }
        let s = String(decoding: raw, as: UTF8.self)
        var out = ""
        var rest = Substring(s)
        while let amp = rest.firstIndex(of: "&") {
            out += rest[..<amp]
            guard let semi = rest[amp...].firstIndex(of: ";") else { throw AWSResponseError("malformed XML: unterminated entity") }
            let entity = rest[rest.index(after: amp)..<semi]
            switch entity {
            case "lt": out += "<"
            case "gt": out += ">"
            case "amp": out += "&"
            case "quot": out += "\""
            case "apos": out += "'"
            default:
                let value: UInt32?
                if entity.hasPrefix("#x") || entity.hasPrefix("#X") { value = UInt32(entity.dropFirst(2), radix: 16) }
                else if entity.hasPrefix("#") { value = UInt32(entity.dropFirst()) } else { value = nil }
                guard let value, let scalar = Unicode.Scalar(value) else { throw AWSResponseError("malformed XML: unknown entity &\(entity);") }
                out.unicodeScalars.append(scalar)
            }
            rest = rest[rest.index(after: semi)...]
        }
        return out + rest
    }
}
