/// Which property changes replace a resource, from the generated registry table.
public enum CreateOnlyProperties {
    static let table: [String: Set<String>] = {
        var table: [String: Set<String>] = [:]
        for line in CreateOnlyTable.text.split(separator: "\n") {
            guard let space = line.firstIndex(of: " ") else { continue }
            table[String(line[..<space])] = Set(line[line.index(after: space)...].split(separator: ",").map(String.init))
        }
        return table
    }()

    public static func properties(of type: String) -> Set<String> { table[type] ?? [] }
    public static var schemaSource: String { "cfn-lint \(CreateOnlyTable.cfnLintVersion) registry schemas" }
}
