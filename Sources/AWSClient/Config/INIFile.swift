/// The INI dialect of `~/.aws/config` and `~/.aws/credentials` (botocore's
/// `raw_config_parse`): `[section]` headers, `key = value` (or `key: value`), full-line
/// `#`/`;` comments, and a key with an empty value followed by indented lines as a nested
/// block (`s3 =\n  addressing_style = path`).
public struct INIFile: Sendable {
    public enum Value: Sendable, Equatable {
        case string(String)
        case nested([String: String])
    }

    public struct ParseError: Error, CustomStringConvertible {
        public var path: String, line: Int, message: String
        public var description: String { "\(path):\(line): \(message)" }
    }

    /// Sections in file order; a repeated section merges into the first.
    public private(set) var sections: [(name: String, values: [String: Value])] = []

    public func section(_ name: String) -> [String: Value]? { sections.first { $0.name == name }?.values }

    public init(parsing text: String, path: String) throws {
        var current: Int?
        var nestedKey: String?
        for (offset, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let lineNumber = offset + 1
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty || trimmed.hasPrefix("#") || trimmed.hasPrefix(";") { continue }
            let indented = line.first == " " || line.first == "\t"
            if trimmed.hasPrefix("[") {
                guard trimmed.hasSuffix("]") else {
                    throw ParseError(path: path, line: lineNumber, message: "section header is missing its closing ]")
                }
                let name = trimmed.dropFirst().dropLast().trimmingCharacters(in: .whitespaces)
                if let existing = sections.firstIndex(where: { $0.name == name }) {
                    current = existing
                } else {
                    sections.append((name, [:]))
                    current = sections.count - 1
                }
                nestedKey = nil
                continue
            }
            guard let index = current else {
                throw ParseError(path: path, line: lineNumber, message: "a setting before any [section] header")
            }
            guard let separator = trimmed.firstIndex(where: { $0 == "=" || $0 == ":" }) else {
                throw ParseError(path: path, line: lineNumber, message: "expected `key = value`")
            }
            let key = trimmed[..<separator].trimmingCharacters(in: .whitespaces)
            let value = trimmed[trimmed.index(after: separator)...].trimmingCharacters(in: .whitespaces)
            if indented, let parent = nestedKey, case .nested(var block)? = sections[index].values[parent] {
                block[key] = value
                sections[index].values[parent] = .nested(block)
            } else if value.isEmpty {
                sections[index].values[key] = .nested([:])
                nestedKey = key
            } else {
                sections[index].values[key] = .string(value)
                nestedKey = nil
            }
        }
    }
}
