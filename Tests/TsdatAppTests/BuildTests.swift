import CloudFormation
import ConstructCore
import Foundation
import Testing
import Yams
@testable import TsdatApp

/// The build's pieces that need no AWS: the synthesized buildspec, the embedded image files,
/// the content hashes that decide what is rebuilt, and the build role's grants.
@Suite struct BuildTests {
    static let pipelinesRepo = Fixtures.repoRoot.appendingPathComponent("Tests/cli/fixtures/pipelines-repo")

    static func project(_ artifacts: [StackArtifact]) throws -> Resource {
        let stack = try #require(artifacts.first { $0.stackName.hasSuffix("CodePipelineStack") })
        return try #require(stack.template.resources.first { $0.type == "AWS::CodeBuild::Project" })
    }

    @Test func theBuildspecIsInlineVersion02WithTheBuildsPhases() throws {
        let project = try Self.project(try Fixtures.synthesize(Fixtures.sample))
        let text = try #require(project.properties["Source"]?["BuildSpec"]?.stringValue)
        #expect(text == Buildspec.text)
        let spec = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(spec["version"] as? Double == 0.2)
        let phases = try #require(spec["phases"] as? [String: [String: [String]]])
        #expect(Set(phases.keys) == ["install", "pre_build", "build"])
        let all = phases.values.flatMap { $0["commands"] ?? [] }.joined(separator: "\n")
        #expect(all.contains("sha256sum --check --strict"))
        #expect(all.contains("\"$TSDEPLOY_BIN\" build-plan \"$BRANCH\""))
        #expect(all.contains("--provenance=false"))
        #expect(all.contains("\"$TSDEPLOY_BIN\" deploy \"$BRANCH\" --config pipelines_config.yml --stack PipelinesStack --pipelines-dir"))
        #expect(all.contains("--build-stack-unchanged"))
        // Nothing derived in shell: no tag or parameter arithmetic, no repository name pasted together.
        #expect(!all.contains("${BRANCH//"))
        #expect(!all.contains("ImageRef"))
        // The project gives the buildspec every variable it reads.
        let names = (project.properties["Environment"]?["EnvironmentVariables"]?.arrayValue ?? []).compactMap { $0["Name"]?.stringValue }
        for v in Buildspec.variables { #expect(names.contains(v), "\(v) is not set by the project") }
    }

    @Test func theEmbeddedImageFilesAreTheOnesInTemplates() throws {
        let dir = Fixtures.repoRoot.appendingPathComponent("templates/image")
        let onDisk = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(ImageFiles.all.map(\.name) == onDisk, "run Tools/embed-image-files.py")
        for file in ImageFiles.all {
            let text = try String(contentsOf: dir.appendingPathComponent(file.name), encoding: .utf8)
            #expect(text == file.text, "\(file.name) differs from templates/image: run Tools/embed-image-files.py")
        }
    }

    static func plan(repo: URL, config: String = Fixtures.sample, branch: String = "main") throws -> BuildPlan {
        let loaded = try ConfigLoader.load(path: config, branch: branch)
        return try BuildPlan(deployment: TsdatDeployment(config: loaded.config, branch: branch), config: loaded.config,
                             branch: branch, pipelinesDir: repo)
    }

    static func copyOfRepo() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("repo-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: pipelinesRepo, to: dir)
        return dir
    }

    @Test func aChangeRebuildsExactlyWhatItReaches() throws {
        let repo = try Self.copyOfRepo()
        defer { try? FileManager.default.removeItem(at: repo) }
        let before = try Self.plan(repo: repo)
        #expect(before.images.map(\.pipeline) == ["lidar", "lidar_vap"])
        #expect(before.images.allSatisfy { $0.sourceTag.hasPrefix("src-") && $0.sourceTag.count == 36 })
        #expect(try Self.plan(repo: repo).images.map(\.sourceTag) == before.images.map(\.sourceTag), "deterministic")

        // A pipeline's own folder: only its image.
        try "# changed\n".write(to: repo.appendingPathComponent("pipelines/lidar/pipeline.py"), atomically: true, encoding: .utf8)
        let one = try Self.plan(repo: repo)
        #expect(one.images[0].sourceTag != before.images[0].sourceTag)
        #expect(one.images[1].sourceTag == before.images[1].sourceTag)
        #expect(one.baseHash == before.baseHash)

        // Shared code and the environment: every image.
        try "managers: [x]\n".write(to: repo.appendingPathComponent("shared/quality.yaml"), atomically: true, encoding: .utf8)
        let all = try Self.plan(repo: repo)
        #expect(all.baseHash != one.baseHash)
        #expect(zip(all.images, one.images).allSatisfy { $0.sourceTag != $1.sourceTag })

        // Caches are not content.
        try FileManager.default.createDirectory(at: repo.appendingPathComponent("pipelines/lidar/__pycache__"), withIntermediateDirectories: true)
        try "x".write(to: repo.appendingPathComponent("pipelines/lidar/__pycache__/a.pyc"), atomically: true, encoding: .utf8)
        #expect(try Self.plan(repo: repo).images.map(\.sourceTag) == all.images.map(\.sourceTag))
    }

    @Test func imagesUseTheTagsAndParametersOfTheFunctionsStack() throws {
        let plan = try Self.plan(repo: Self.pipelinesRepo, branch: "feature/x")
        #expect(plan.images.map(\.tag) == ["lidar-feature-x", "lidar_vap-feature-x"])
        #expect(plan.images.map(\.parameter) == ["ImageReflidar", "ImageReflidarvap"])
        #expect(plan.repositoryUri == "123456789012.dkr.ecr.us-west-2.amazonaws.com/pipeline-template-feature-x")
    }

    @Test func aMissingFolderOrConfigFileIsAClearError() throws {
        let repo = try Self.copyOfRepo()
        defer { try? FileManager.default.removeItem(at: repo) }
        try FileManager.default.moveItem(at: repo.appendingPathComponent("pipelines/lidar"), to: repo.appendingPathComponent("pipelines/lidarr"))
        let error = try #require(throws: BuildPlanError.self) { try Self.plan(repo: repo) }
        #expect(error.message.contains("pipeline 'lidar' has no folder pipelines/lidar"))
        #expect(error.hint?.contains("did you mean 'lidarr'") == true)
        try FileManager.default.moveItem(at: repo.appendingPathComponent("pipelines/lidarr"), to: repo.appendingPathComponent("pipelines/lidar"))
        try FileManager.default.removeItem(at: repo.appendingPathComponent("pipelines/lidar/config/pipeline_morro.yaml"))
        let missing = try #require(throws: BuildPlanError.self) { try Self.plan(repo: repo) }
        #expect(missing.message.contains("pipelines/lidar/config/pipeline_morro.yaml of lidar/morro"))
    }

    @Test func aLinkOutOfTheRepositoryIsRefused() throws {
        let repo = try Self.copyOfRepo()
        defer { try? FileManager.default.removeItem(at: repo) }
        try FileManager.default.createSymbolicLink(atPath: repo.appendingPathComponent("shared/secrets").path, withDestinationPath: "/etc")
        let error = try #require(throws: BuildPlanError.self) { try Self.plan(repo: repo) }
        #expect(error.message.contains("links outside the pipelines repository"))
    }

    @Test func contextsHoldWhatTheDockerfilesCopyAndReplaceOnlyTheirOwnDirectory() throws {
        let plan = try Self.plan(repo: Self.pipelinesRepo)
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("ctx-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: out) }
        let contexts = try plan.writeContexts(to: out)
        let fm = FileManager.default
        for path in ["base/Dockerfile", "base/setup_environment.sh", "base/lambda_function.py", "base/env/environment.yml",
                     "base/env/requirements-dev.txt", "base/task/shared/storage.yaml", "base/task/utils/__init__.py",
                     "base/task/pipelines/__init__.py"] {
            #expect(fm.fileExists(atPath: out.appendingPathComponent(path).path), "\(path) missing")
        }
        let lidar = try #require(contexts["lidar"])
        #expect(fm.fileExists(atPath: lidar.appendingPathComponent("task/pipelines/lidar/pipeline.py").path))
        let dockerfile = try String(contentsOf: lidar.appendingPathComponent("Dockerfile"), encoding: .utf8)
        #expect(dockerfile.contains("FROM \(plan.baseImage)\n"))
        // Written again: replaced. A directory of the user's: refused, untouched.
        try plan.writeContexts(to: out)
        let mine = FileManager.default.temporaryDirectory.appendingPathComponent("mine-\(UUID().uuidString)")
        try fm.createDirectory(at: mine, withIntermediateDirectories: true)
        defer { try? fm.removeItem(at: mine) }
        try "keep".write(to: mine.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
        #expect(throws: BuildPlanError.self) { try plan.writeContexts(to: mine) }
        #expect(fm.fileExists(atPath: mine.appendingPathComponent("notes.txt").path))
    }

    @Test func theBuildRoleCoversEveryResourceTypeOfTheFunctionsStack() throws {
        let artifacts = try Fixtures.synthesize(Fixtures.sample)
        let functions = try #require(artifacts.first { $0.stackName.hasSuffix("PipelinesStack") })
        let known = Set(FunctionsStackPermissions.byType.map(\.type))
        for type in Set(functions.template.resources.map(\.type)) {
            #expect(known.contains(type), "the build deploys \(type) but FunctionsStackPermissions does not list what CloudFormation calls for it")
        }
    }

    @Test func theBuildRoleNamesOnlyThisBranchsResources() throws {
        let artifacts = try Fixtures.synthesize(Fixtures.sample)
        let stack = try #require(artifacts.first { $0.stackName.hasSuffix("CodePipelineStack") })
        let policies = stack.template.resources.filter { $0.type == "AWS::IAM::Policy" }.map { JSONWriter.compact(.object($0.properties)) }
        let text = policies.joined(separator: "\n")
        for action in ["lambda:CreateFunction", "events:PutRule", "cloudwatch:PutMetricAlarm", "logs:DeleteLogGroup", "ssm:GetParameter"] {
            #expect(text.contains(action), "\(action) missing")
        }
        #expect(!text.contains("function:*") && !text.contains("rule/*") && !text.contains("alarm:*"))
        #expect(text.contains("function:pipeline-template-main-lambda-lidar-humboldt"))
        #expect(text.contains("alarm:pipeline-template-main-lambda-lidar-humboldt-errors"))
        #expect(text.contains("parameter/tsdeploy-bootstrap/${ToolkitQualifier}/version"))
    }

    /// The sample (3 sites) plus `extra` sites of the lidar pipeline; the build stack.
    func synthesize(extraSites extra: Int) throws -> [StackArtifact] {
        let sites = (0..<extra).map { "      s\($0): {input_bucket_path: lidar/s\($0)/, config_file_path: pipelines/lidar/config/pipeline_humboldt.yaml}" }
        var text = try Fixtures.sampleSource()
        let morro = "      morro:    {input_bucket_path: lidar/morro/,    config_file_path: pipelines/lidar/config/pipeline_morro.yaml}"
        text = text.replacingOccurrences(of: morro, with: morro + "\n" + sites.joined(separator: "\n"))
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("many-\(UUID().uuidString).yml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try Fixtures.synthesize(path)
    }

    func buildStack(extraSites extra: Int) throws -> StackArtifact {
        try #require(try synthesize(extraSites: extra).first { $0.stackName.hasSuffix("CodePipelineStack") })
    }

    func buildRolePolicies(_ stack: StackArtifact) throws -> (project: CloudFormation.Resource, policies: [CloudFormation.Resource]) {
        let project = try #require(stack.template.resources.first { $0.type == "AWS::CodeBuild::Project" })
        let roleId = try #require(project.properties["ServiceRole"]?["Fn::GetAtt"]?.arrayValue?.first?.stringValue)
        let policies = stack.template.resources.filter { r in
            ["AWS::IAM::Policy", "AWS::IAM::ManagedPolicy"].contains(r.type) && (r.properties["Roles"]?.arrayValue ?? []).contains(["Ref": .string(roleId)])
        }
        return (project, policies)
    }

    @Test func upToFiftySitesTheBuildRoleNamesEachOneWithinIAMsSizeLimits() throws {
        let stack = try buildStack(extraSites: CodePipelineStack.exactGrantSites - 3)
        let (project, policies) = try buildRolePolicies(stack)
        let inline = policies.filter { $0.type == "AWS::IAM::Policy" }
        let managed = policies.filter { $0.type == "AWS::IAM::ManagedPolicy" }
        #expect(inline.count == 1 && managed.count >= 2 && managed.count <= 10)
        for p in inline { #expect(JSONWriter.compact(p.properties["PolicyDocument"]!).utf8.count <= 10_240) }
        for p in managed { #expect(JSONWriter.compact(p.properties["PolicyDocument"]!).utf8.count <= 6_144) }
        // Every function of every site is granted by name, and no pattern.
        let all = policies.map { JSONWriter.compact($0.properties["PolicyDocument"]!) }.joined()
        let missing = (0..<(CodePipelineStack.exactGrantSites - 3)).filter { !all.contains("function:pipeline-template-main-lambda-lidar-s\($0)\"") }
        #expect(missing.isEmpty)
        #expect(!all.contains("lambda-*"))
        #expect(!stack.template.outputs.contains { $0.logicalId == NameScope.grantsOutput })
        // The project waits for every policy holding its grants.
        for p in policies { #expect(project.dependsOn.contains(p.logicalId), "\(p.logicalId) is not a dependency of the project") }
    }

    @Test func pastFiftySitesTheBuildRoleHoldsTheBranchsPrefixAndEveryNameIsUnderIt() throws {
        let stack = try buildStack(extraSites: 60)
        let (_, policies) = try buildRolePolicies(stack)
        #expect(policies.count == 1)
        let all = policies.map { JSONWriter.compact($0.properties["PolicyDocument"]!) }.joined()
        for pattern in ["function:pipeline-template-main-lambda-*", "rule/pipeline-template-main-lambda-*",
                        "alarm:pipeline-template-main-lambda-*", "log-group:/aws/lambda/pipeline-template-main-lambda-*"] {
            #expect(all.contains(pattern + "\""), "\(pattern)")
        }
        #expect(!all.contains("lambda-lidar-s0"))
        #expect(stack.template.outputs.first { $0.logicalId == NameScope.grantsOutput }?.value == .string("pipeline-template-main-lambda-"))
        // Every name the functions stacks create is under the pattern.
        let named: [String: String] = ["AWS::Lambda::Function": "FunctionName", "AWS::Events::Rule": "Name",
                                       "AWS::CloudWatch::Alarm": "AlarmName", "AWS::Logs::LogGroup": "LogGroupName"]
        var outside: [String] = [], seen = 0
        for stack in try synthesize(extraSites: 60) where stack.stackName.contains("PipelinesStack") {
            for r in stack.template.resources {
                guard let key = named[r.type], let value = r.properties[key]?.stringValue else { continue }
                seen += 1
                if !value.hasPrefix("pipeline-template-main-lambda-") && !value.hasPrefix("/aws/lambda/pipeline-template-main-lambda-") {
                    outside.append(value)
                }
            }
        }
        #expect(seen == 63 * 4)
        #expect(outside.isEmpty, "\(outside.prefix(5))")
    }

    @Test func pastFiftySitesABranchWhosePrefixShorteningWouldCutIsRefused() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("many-\(UUID().uuidString).yml").path
        let sites = (0..<60).map { "      s\($0): {input_bucket_path: lidar/s\($0)/, config_file_path: pipelines/lidar/config/pipeline_humboldt.yaml}" }
        let morro = "      morro:    {input_bucket_path: lidar/morro/,    config_file_path: pipelines/lidar/config/pipeline_morro.yaml}"
        try Fixtures.sampleSource().replacingOccurrences(of: morro, with: morro + "\n" + sites.joined(separator: "\n"))
            .write(toFile: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try ConfigLoader.load(path: path, branch: "main").config
        #expect(TsdatDeployment.scaleProblem(config: config, branch: "main") == nil)
        let long = "feature/a-rather-long-branch-name-for-this"
        let problem = try #require(TsdatDeployment.scaleProblem(config: config, branch: long))
        #expect(problem.message.contains("54"))
        // Few sites: names one by one, any length.
        #expect(TsdatDeployment.scaleProblem(config: try ConfigLoader.load(path: Fixtures.sample, branch: "main").config, branch: long) == nil)
    }

    @Test func namesOverlapAPatternWhenEitherExtendsTheOther() {
        #expect(NameScope.overlaps(names: "scale-main-lambda-x-lambda-", grants: "scale-main-lambda-"))
        #expect(NameScope.overlaps(names: "scale-", grants: "scale-main-lambda-"))
        #expect(!NameScope.overlaps(names: "scale-main2-", grants: "scale-main-lambda-"))
        #expect(!NameScope.overlaps(names: "scale-dev-lambda-", grants: "scale-main-lambda-"))
    }
}
