import ArgumentParser
import CloudAssembly
import CloudFormation
import ConstructCore
import Foundation

public struct Synth: ParsableCommand {
    public static let configuration = CommandConfiguration(
        abstract: "Synthesize the CloudFormation templates and write the cloud assembly.",
        discussion: """
            Writes manifest.json and one <stack>.template.json per stack to the output \
            directory (replacing it in one step, never leaving it half-written), then prints \
            the templates as YAML. Config errors name file, line and column; nothing is \
            written when there is one.
            """)

    @OptionGroup public var options: ConfigOptions

    @Option(name: .shortAndLong, help: "Where to write the cloud assembly.")
    public var output: String = "cdk.out"

    @Flag(help: "Print the templates as JSON instead of YAML.")
    public var json = false

    @Flag(name: .shortAndLong, help: "Write the assembly but print no templates.")
    public var quiet = false

    public init() {}

    nonisolated(unsafe) static var keptUntilExit: Any?

    public func run() throws {
        let start = Date()
        let result = try Console.runReportingErrors {
            try SynthPipeline(configPath: options.config, branch: options.branch).run()
        }
        Console.printWarnings(result.warnings)
        let selected = try Console.runReportingErrors { try SynthPipeline.select(result.artifacts, names: options.stacks) }
        try Console.runReportingErrors {
            try AssemblyWriter(outputDirectory: URL(fileURLWithPath: output)).write(result.artifacts)
        }
        if !quiet {
            var out = ""
            for (i, artifact) in selected.enumerated() {
                let value = artifact.template.render()
                if json {
                    out += JSONWriter().string(value) + "\n"
                } else {
                    if i > 0 || selected.count > 1 { out += "---\n# \(artifact.stackName)\n" }
                    out += YAMLWriter().string(value)
                }
            }
            Console.stdout(out)
        }
        let ms = Int(Date().timeIntervalSince(start) * 1000)
        let shown = selected.prefix(6).map(\.stackName).joined(separator: ", ") + (selected.count > 6 ? " and \(selected.count - 6) more" : "")
        Console.stderr("Synthesized \(selected.count == 1 ? "" : "\(selected.count) stacks: ")\(shown) to \(output)/ in \(ms) ms")
        // Freeing the construct tree and the templates takes a tenth of synth at 1,000
        // pipelines, and the process ends right after: left to the exit.
        Synth.keptUntilExit = result
    }
}
