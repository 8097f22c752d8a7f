import CloudAssembly
import CloudFormation
import ConstructCore
import Foundation
import Testing
import TsdatApp
import ConstructLibrary

/// Snapshot tests: the synthesized assembly of each config is compared byte for byte with
/// the files under Fixtures/golden. After an intended change, regenerate them with
/// `UPDATE_GOLDEN=1 swift test --filter GoldenTests` and review the diff like code.
@Suite struct GoldenTests {
    static let cases: [(name: String, path: String, branch: String)] = [
        ("sample", Fixtures.sample, "main"),
        ("sample-feature-branch", Fixtures.sample, "feature/x"),
        ("existing-buckets", Fixtures.config("existing-buckets"), "main"),
        ("only-cron", Fixtures.config("only-cron"), "main"),
        ("many-sites", Fixtures.config("many-sites"), "main"),
    ]

    @Test(arguments: cases.map(\.name))
    func assemblyMatchesGolden(_ name: String) throws {
        let c = try #require(Self.cases.first { $0.name == name })
        let files = AssemblyWriter.files(for: try Fixtures.synthesize(c.path, branch: c.branch))
        let dir = Fixtures.directory.appendingPathComponent("golden/\(name)")
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try? FileManager.default.removeItem(at: dir)
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            for f in files { try f.contents.write(to: dir.appendingPathComponent(f.name), atomically: true, encoding: .utf8) }
        }
        let expected = try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted()
        #expect(expected == files.map(\.name).sorted())
        for f in files {
            let golden = try String(contentsOf: dir.appendingPathComponent(f.name), encoding: .utf8)
            #expect(golden == f.contents, "\(name)/\(f.name) differs from its golden file")
        }
    }
}

@Suite struct StackContentTests {
    func types(_ t: Template) -> [String] { t.resources.map(\.type) }

    @Test func codePipelineStackHoldsEveryResourceTypeOfTheReference() throws {
        let artifacts = try Fixtures.synthesize(Fixtures.sample)
        let stack = try #require(artifacts.first { $0.stackName == "pipeline-template-main-CodePipelineStack" })
        let present = Set(types(stack.template))
        for type in ["AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::IAM::Role", "AWS::IAM::Policy",
                     "AWS::ECR::Repository", "AWS::CodeBuild::Project", "AWS::CodePipeline::Pipeline"] {
            #expect(present.contains(type), "missing \(type)")
        }
        // input, output, artifacts
        #expect(types(stack.template).filter { $0 == "AWS::S3::Bucket" }.count == 3)
        #expect(!present.contains("AWS::Lambda::Function"), "no CDK helper functions")
        let pipeline = try #require(stack.template.resources.first { $0.type == "AWS::CodePipeline::Pipeline" })
        #expect(pipeline.properties["PipelineType"] == "V2")
        #expect(pipeline.properties["Name"] == "pipeline-template-main-build-pipeline")
        let stages = pipeline.properties["Stages"]?.arrayValue ?? []
        #expect(stages.map { $0["Name"] } == ["main-source", "main-build"])
        let sources = stages.first?["Actions"]?.arrayValue ?? []
        #expect(sources.map { $0["Configuration"]?["FullRepositoryId"] } == ["my-org/aws-template", "my-org/pipeline-template"])
        #expect(sources.map { $0["Configuration"]?["DetectChanges"] } == [false, true])
        #expect(sources.allSatisfy { $0["Configuration"]?["OutputArtifactFormat"] == "CODEBUILD_CLONE_REF" })
    }

    @Test func codeBuildHasTheReferencesEnvironment() throws {
        let stack = try #require(try Fixtures.synthesize(Fixtures.sample).first)
        let project = try #require(stack.template.resources.first { $0.type == "AWS::CodeBuild::Project" })
        let env = project.properties["Environment"]
        #expect(env?["Image"] == "aws/codebuild/amazonlinux2-x86_64-standard:5.0")
        #expect(env?["ComputeType"] == "BUILD_GENERAL1_MEDIUM")
        #expect(env?["PrivilegedMode"] == true)
        let names = env?["EnvironmentVariables"]?.arrayValue?.compactMap { $0["Name"]?.stringValue } ?? []
        for n in ["AWS_ACCOUNT_ID", "AWS_DEFAULT_REGION", "PIPELINES_REPO_NAME", "PIPELINES_REPO_URL",
                  "AWS_PIPELINE_NAME", "BRANCH", "LAMBDA_ROLE_ARN"] {
            #expect(names.contains(n), "missing \(n)")
        }
    }

    @Test func pipelinesStackHasOneFunctionLogGroupAndRulePerSite() throws {
        let artifacts = try Fixtures.synthesize(Fixtures.sample)
        let stack = try #require(artifacts.first { $0.stackName == "pipeline-template-main-PipelinesStack" })
        let t = stack.template
        #expect(types(t).filter { $0 == "AWS::Lambda::Function" }.count == 3)
        #expect(types(t).filter { $0 == "AWS::Logs::LogGroup" }.count == 3)
        #expect(types(t).filter { $0 == "AWS::Events::Rule" }.count == 3)
        #expect(types(t).filter { $0 == "AWS::Lambda::Permission" }.count == 3)
        #expect(stack.dependencies == ["pipeline-template-main-CodePipelineStack"])
        let fn = try #require(t.resources.first { $0.properties["FunctionName"] == "pipeline-template-main-lambda-lidar-humboldt" })
        #expect(fn.properties["Timeout"] == 120)
        #expect(fn.properties["MemorySize"] == 1024)
        #expect(fn.properties["PackageType"] == "Image")
        let vars = fn.properties["Environment"]?["Variables"]
        #expect(vars?["RETAIN_INPUT_FILES"] == "true")
        #expect(vars?["TSDAT_S3_BUCKET_NAME"] == "my-org-tsdat-output")
        let schedules = t.resources.compactMap { $0.properties["ScheduleExpression"]?.stringValue }
        #expect(schedules == ["cron(0 0/1 * * ? *)"])
        let pattern = try #require(t.resources.compactMap { $0.properties["EventPattern"] }.first)
        #expect(pattern["detail-type"] == ["Object Created"])
        #expect(pattern["detail"]?["object"]?["key"] == [["prefix": "lidar/humboldt/"]])
    }

    @Test func schedulesKeepTheReferencesExactExpressions() throws {
        let artifacts = try Fixtures.synthesize(Fixtures.config("only-cron"))
        let t = try #require(artifacts.last).template
        #expect(t.resources.compactMap { $0.properties["ScheduleExpression"]?.stringValue }
            == ["cron(0 2 * * ? *)", "cron(30 2 ? * 1 *)", "cron(0 3 1 * ? *)"])
        #expect(!t.resources.contains { $0.properties["EventPattern"] != nil })
    }

    @Test func existingBucketsAreNotCreatedAndGetEventBridgeThroughTheEngine() throws {
        let artifacts = try Fixtures.synthesize(Fixtures.config("existing-buckets"))
        let stack = try #require(artifacts.first)
        let buckets = stack.template.resources.filter { $0.type == "AWS::S3::Bucket" }
        #expect(buckets.count == 1, "only the artifacts bucket")
        #expect(stack.engineMetadata.contains { $0.type == "tsdeploy:bucket-eventbridge-notifications" && $0.data["bucket"] == "atmo-raw" })
        let fn = try #require(artifacts.last?.template.resources.first { $0.type == "AWS::Lambda::Function" })
        #expect(fn.properties["Timeout"] == 300)
        #expect(fn.properties["MemorySize"] == 2048)
        #expect(fn.properties["Environment"]?["Variables"]?["INPUT_BUCKET_PATH"] == "met/site_a/")
    }

    @Test func dataBucketsAreRetainedAndTheRepositoryEmptiesOnDelete() throws {
        let t = try #require(try Fixtures.synthesize(Fixtures.sample).first).template
        for b in t.resources where b.type == "AWS::S3::Bucket" && b.properties["BucketName"] != nil {
            #expect(b.deletionPolicy == .retain)
        }
        let repo = try #require(t.resources.first { $0.type == "AWS::ECR::Repository" })
        #expect(repo.properties["EmptyOnDelete"] == true)
    }

    @Test func configTagsGoOnEveryTaggableResource() throws {
        for a in try Fixtures.synthesize(Fixtures.sample) {
            #expect(a.tags == ["owner": "data-team", "project": "tsdat"])
            for r in a.template.resources where !["AWS::IAM::Policy", "AWS::S3::BucketPolicy", "AWS::Lambda::Permission", "AWS::SQS::QueuePolicy", "AWS::Lambda::EventInvokeConfig"].contains(r.type) {
                #expect(r.properties["Tags"]?.arrayValue?.count == 2, "\(r.logicalId) has no tags")
            }
        }
    }

    @Test func noPolicyAllowsEveryAction() throws {
        for a in try Fixtures.synthesize(Fixtures.config("many-sites")) {
            #expect(LeastPrivilege.violations(in: a.template).isEmpty)
            #expect(!JSONWriter.compact(a.template.render()).contains(#""Action":"*""#))
        }
    }
}
