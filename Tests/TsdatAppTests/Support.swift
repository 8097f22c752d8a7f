import CloudAssembly
import CloudFormation
import ConstructCore
import Foundation
import TsdatApp

enum Fixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func config(_ name: String) -> String { directory.appendingPathComponent("configs/\(name).yml").path }
    static var sample: String { repoRoot.appendingPathComponent("pipelines_config.yml").path }

    static func synthesize(_ path: String, branch: String = "main") throws -> [StackArtifact] {
        let loaded = try ConfigLoader.load(path: path, branch: branch)
        return try TsdatDeployment(config: loaded.config, branch: branch).app.synthesize()
    }

    /// The sample config with one line edited, for validation cases.
    static func sampleSource() throws -> String { try String(contentsOfFile: sample, encoding: .utf8) }
}
