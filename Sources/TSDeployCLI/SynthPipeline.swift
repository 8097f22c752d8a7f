import CloudAssembly
import CloudFormation
import ConstructCore
import ConstructLibrary
import DeployEngine
import Foundation
import TsdatApp

/// The stages of `tsdeploy synth`, each with its boundary type:
/// config file → `LoadedConfig` → construct tree (`TsdatDeployment`) → `[StackArtifact]`
/// → cloud assembly on disk. Deploy, diff and destroy start from the same artifacts.
public struct SynthPipeline {
    public var configPath: String
    public var branch: String

    public init(configPath: String, branch: String) {
        self.configPath = configPath
        self.branch = branch
    }

    public struct Result {
        public var artifacts: [StackArtifact]
        public var warnings: [String]
        public var config: PipelinesConfig
        public var deployment: TsdatDeployment
    }

    public func run() throws -> Result {
        let loaded = try ConfigLoader.load(path: configPath, branch: branch)
        var warnings = loaded.warnings.map { $0.rendered(source: loaded.source) }
        if let (message, hint) = TsdatDeployment.scaleProblem(config: loaded.config, branch: branch) { throw CLIError(message, hint: hint) }
        let layout = try LayoutFile.read(besideConfig: configPath, branch: branch)
        let deployment = TsdatDeployment(config: loaded.config, branch: branch, layout: layout)
        for name in deployment.shortenedNames {
            warnings.append("warning: the \(name.kind) '\(name.full)' is too long for AWS; using '\(name.short)'")
        }
        let artifacts = try deployment.app.synthesize()
        warnings += deployment.app.diagnostics.map(\.description)
        let violations = Parallel.map(artifacts) { a in LeastPrivilege.violations(in: a.template).map { "\(a.stackName): \($0)" } }.flatMap { $0 }
        if !violations.isEmpty { throw SynthesisError(violations.joined(separator: "\n")) }
        do {
            if let file = try LayoutFile.write(deployment.layout, besideConfig: configPath, branch: branch) {
                warnings.append("note: recorded which functions stack each site is in, in \(file): commit it with the config")
            }
        } catch {
            warnings.append("warning: could not record the stack layout beside the config (\(error)); sites may move between stacks later")
        }
        return Result(artifacts: artifacts, warnings: warnings, config: loaded.config, deployment: deployment)
    }

    /// Picks stacks by `--stack` (stack name, or construct id like `PipelinesStack`).
    public static func select(_ artifacts: [StackArtifact], names: [String]) throws -> [StackArtifact] {
        guard !names.isEmpty else { return artifacts }
        var selected: [StackArtifact] = []
        for name in names {
            // A partitioned stack's id selects all its parts (`PipelinesStack`, `PipelinesStack2`…).
            let matches = artifacts.filter { a in
                let rest = a.displayName.dropFirst(name.count)
                return a.stackName == name || a.displayName == name
                    || (a.displayName.hasPrefix(name) && !rest.isEmpty && rest.allSatisfy(\.isNumber) && a.displayName.count > name.count)
            }
            guard !matches.isEmpty else {
                let all = artifacts.map(\.stackName)
                let suggestion = all.min { DidYouMean.distance(name, $0) < DidYouMean.distance(name, $1) }
                throw CLIError("no stack named '\(name)'",
                               hint: "stacks: \(all.joined(separator: ", "))" + (suggestion.map { "; did you mean '\($0)'?" } ?? ""))
            }
            for m in matches where !selected.contains(where: { $0.stackName == m.stackName }) { selected.append(m) }
        }
        return selected
    }
}

/// An operational error the user can act on; printed with its hint, never a stack trace.
/// The same shape as the engine's, so both print alike.
public typealias CLIError = DeployError
