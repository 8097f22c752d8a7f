import AWSClient
import ArgumentParser
import DeployEngine
import Foundation
import TsdatApp

public struct BuildPlanCommand: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "build-plan",
        abstract: "Say which pipeline images the build must build, and write their Docker contexts.",
        discussion: """
            Each image is named by the hash of what it is built from (environment files, \
            shared/ and utils/, the pipeline's folder, tsdeploy's handler) and tagged src-HASH \
            beside {pipeline}-{branch}. An image whose src- tag is already in the branch's ECR \
            repository is reused; the others are built. `deploy --pipelines-dir` then pins every \
            function to the digest of its src- tag. The build runs both (docs/ci.md).
            """)

    @OptionGroup public var options: ConfigOptions
    @OptionGroup public var aws: AWSOptions

    @Option(help: "A checkout of the pipelines repository.")
    public var pipelinesDir: String

    @Option(help: "Write one Docker build context per image to this directory (replaced).")
    public var context: String?

    @Option(help: "json (for people and tools) or tsv (for the build's shell loop).")
    public var format: Format = .json

    @Flag(help: "Do not ask ECR which images exist: plan to build every image.")
    public var offline = false

    @Option(help: "The toolkit qualifier used at bootstrap (accepted for symmetry with deploy).")
    public var qualifier = ToolkitNames.defaultQualifier

    public enum Format: String, ExpressibleByArgument, Sendable { case json, tsv }

    public init() {}

    public func run() async throws {
        try await Console.runReportingErrors {
            let result = try SynthPipeline(configPath: options.config, branch: options.branch).run()
            Console.printWarnings(result.warnings)
            let plan = try BuildPlan(deployment: result.deployment, config: result.config, branch: options.branch,
                                     pipelinesDir: URL(fileURLWithPath: pipelinesDir))
            var present: Set<String> = []
            if !offline {
                let session = try aws.session()
                let stack = try DeployableStack(result.artifacts[0])
                _ = try await EnvironmentCheck.verify([stack], session: session)
                let ecr = try session.ecr(region: result.config.region)
                for image in plan.images where try await ecr.imageExists(repository: plan.repositoryName, .init(tag: image.sourceTag)) {
                    present.insert(image.pipeline)
                }
            }
            var contexts: [String: URL] = [:]
            var baseContext: String?
            if let context {
                let dir = URL(fileURLWithPath: context).standardizedFileURL
                contexts = try plan.writeContexts(to: dir)
                baseContext = dir.appendingPathComponent("base").path
            }
            let needsBuild = plan.images.contains { !present.contains($0.pipeline) }
            switch format {
            case .tsv:
                var lines: [String] = []
                if needsBuild { lines.append(["base", "-", baseContext ?? "-", plan.baseImage, "-"].joined(separator: "\t")) }
                for image in plan.images {
                    let built = !present.contains(image.pipeline)
                    lines.append([built ? "build" : "reuse", image.pipeline, built ? (contexts[image.pipeline]?.path ?? "-") : "-",
                                  "\(plan.repositoryUri):\(image.tag)", "\(plan.repositoryUri):\(image.sourceTag)"].joined(separator: "\t"))
                }
                Console.stdout(lines.map { $0 + "\n" }.joined())
            case .json:
                var images: [[String: Any]] = []
                for image in plan.images {
                    var entry: [String: Any] = [
                        "pipeline": image.pipeline, "folder": image.folder, "tag": image.tag, "sourceTag": image.sourceTag,
                        "parameter": image.parameter, "files": image.files.count,
                    ]
                    entry["action"] = offline ? "build" : (present.contains(image.pipeline) ? "reuse" : "build")
                    if let ctx = contexts[image.pipeline] { entry["context"] = ctx.path }
                    images.append(entry)
                }
                var plan: [String: Any] = [
                    "branch": options.branch, "repository": plan.repositoryName, "repositoryUri": plan.repositoryUri,
                    "registry": plan.registry, "baseImage": plan.baseImage, "baseFiles": plan.baseFiles, "images": images,
                ]
                if let baseContext { plan["baseContext"] = baseContext }
                let data = try JSONSerialization.data(withJSONObject: plan, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
                Console.stdout(String(decoding: data, as: UTF8.self) + "\n")
            }
        }
    }
}
