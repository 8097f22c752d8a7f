import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

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

    public static func parse(_ data: Data) throws -> XMLNode {
        let delegate = TreeBuilder()
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = true
        parser.delegate = delegate
        guard parser.parse(), let root = delegate.root else {
            throw AWSResponseError("malformed XML: \(parser.parserError.map { "\($0)" } ?? "no root element")")
        }
        return root
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

private final class TreeBuilder: NSObject, XMLParserDelegate {
    var stack: [XMLNode] = []
    var root: XMLNode?

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
        let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
        stack.append(XMLNode(name: local, attributes: attributeDict.filter { !$0.key.hasPrefix("xmlns") }))
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += string
    }

    func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
        guard !stack.isEmpty else { return }
        stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        guard var node = stack.popLast() else { return }
        if !node.children.isEmpty, node.text.allSatisfy(\.isWhitespace) { node.text = "" }
        if stack.isEmpty { root = node } else { stack[stack.count - 1].children.append(node) }
    }
}
