import ConstructCore
import Foundation

/// `NAME.layout.json` beside the config `NAME.yml`: which functions stack each site is in, per
/// branch. Like CDK's cdk.context.json it records a decision so that later synths repeat it —
/// a site never moves to another stack (which would delete and re-create its function) — and
/// it belongs in the deployment repository next to pipelines_config.yml. Written only when a
/// branch needs more than one functions stack, or the file already exists.
public enum LayoutFile {
    struct Contents: Codable {
        var version = 1
        var comment = "Which functions stack each pipeline site is in. Written by tsdeploy; commit it with pipelines_config.yml."
        var branches: [String: [String: StackPartition.Layout]] = [:]
    }

    public static func path(besideConfig config: String) -> String {
        URL(fileURLWithPath: config).deletingPathExtension().appendingPathExtension("layout.json").path
    }

    /// The branch's layout of the functions stacks, nil when none is recorded.
    public static func read(besideConfig config: String, branch: String) throws -> StackPartition.Layout? {
        let file = path(besideConfig: config)
        guard let data = FileManager.default.contents(atPath: file) else { return nil }
        do {
            return try JSONDecoder().decode(Contents.self, from: data).branches[branch]?["PipelinesStack"]
        } catch {
            throw LayoutFileError("\(file) is not a layout tsdeploy wrote (\(error.localizedDescription))",
                                  hint: "restore it from version control; deleting it lets sites move between stacks")
        }
    }

    /// Records the layout; returns the path when the file changed.
    @discardableResult
    public static func write(_ layout: StackPartition.Layout, besideConfig config: String, branch: String) throws -> String? {
        let file = path(besideConfig: config)
        let existing = FileManager.default.contents(atPath: file)
        var contents = (existing.flatMap { try? JSONDecoder().decode(Contents.self, from: $0) }) ?? Contents()
        let multi = Set(layout.stacks.values).count > 1 || layout.stacks.values.contains { $0 != 1 }
        guard existing != nil || multi else { return nil }
        if contents.branches[branch]?["PipelinesStack"] == layout { return nil }
        contents.branches[branch, default: [:]]["PipelinesStack"] = layout
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try (encoder.encode(contents) + Data("\n".utf8)).write(to: URL(fileURLWithPath: file), options: .atomic)
        return file
    }
}

public struct LayoutFileError: Error, CustomStringConvertible {
    public let message: String
    public let hint: String?
    public init(_ message: String, hint: String? = nil) { self.message = message; self.hint = hint }
    public var description: String { message + (hint.map { "\n  hint: \($0)" } ?? "") }
}
