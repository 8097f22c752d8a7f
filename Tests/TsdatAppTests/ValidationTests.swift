import Foundation
import Testing
import TsdatApp

/// One case per validation rule: each broken config must fail with a located error.
@Suite struct ValidationTests {
    static let base = """
        github_org: my-org
        pipelines_repo_name: pipeline-template
        aws_repo_name: aws-template
        account_id: "123456789012"
        region: us-west-2
        input_bucket_name: my-org-tsdat-input
        output_bucket_name: my-org-tsdat-output
        create_buckets: true
        github_codestar_arn: arn:aws:codestar-connections:us-west-2:123456789012:connection/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b
        pipelines:
          - name: lidar
            type: Ingest
            trigger: S3
            configs:
              humboldt: {input_bucket_path: lidar/humboldt/, config_file_path: pipelines/lidar/config/h.yaml}
          - name: lidar_vap
            type: VAP
            trigger: Cron
            schedule: Hourly
            configs:
              humboldt: {config_file_path: pipelines/lidar_vap/config/pipeline.yaml}

        """

    struct Case: CustomTestStringConvertible, Sendable {
        var name: String
        var replace: String
        var with: String
        var message: String
        var line: Int
        var hint: String? = nil
        var branch = "main"
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "unknown top-level key", replace: "region: us-west-2", with: "regoin: us-west-2",
             message: "unknown key 'regoin'", line: 5, hint: "did you mean 'region'?"),
        Case(name: "unknown pipeline key", replace: "    schedule: Hourly", with: "    shedule: Hourly",
             message: "unknown key 'shedule'", line: 19, hint: "did you mean 'schedule'?"),
        Case(name: "unknown site key", replace: "{config_file_path: pipelines/lidar_vap", with: "{config_path: pipelines/lidar_vap",
             message: "unknown key 'config_path'", line: 21, hint: "did you mean 'config_file_path'?"),
        Case(name: "missing github_org", replace: "github_org: my-org\n", with: "",
             message: "missing required key 'github_org'", line: 1),
        Case(name: "account id not 12 digits", replace: "\"123456789012\"", with: "\"12345\"",
             message: "account_id must be 12 digits", line: 4),
        Case(name: "bad region", replace: "region: us-west-2", with: "region: oregon",
             message: "region 'oregon' is not an AWS region", line: 5),
        Case(name: "bucket name with capitals", replace: "input_bucket_name: my-org-tsdat-input",
             with: "input_bucket_name: My_Bucket", message: "not a valid S3 bucket name", line: 6),
        Case(name: "bucket name like an IP", replace: "output_bucket_name: my-org-tsdat-output",
             with: "output_bucket_name: 192.168.1.1", message: "IP address", line: 7),
        Case(name: "same input and output bucket", replace: "output_bucket_name: my-org-tsdat-output",
             with: "output_bucket_name: my-org-tsdat-input", message: "must differ", line: 7),
        Case(name: "create_buckets not a boolean", replace: "create_buckets: true", with: "create_buckets: maybe",
             message: "'create_buckets' must be true or false", line: 8),
        Case(name: "not a connection ARN", replace: "arn:aws:codestar-connections:us-west-2:123456789012:connection/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b",
             with: "arn:aws:s3:::bucket", message: "not a CodeStar/CodeConnections connection ARN", line: 9),
        Case(name: "duplicate pipeline name", replace: "  - name: lidar_vap", with: "  - name: lidar",
             message: "pipeline name 'lidar' is used twice", line: 16, hint: "first used on line 11"),
        Case(name: "unknown schedule", replace: "schedule: Hourly", with: "schedule: hourlyy",
             message: "'pipelines[1].schedule' must be one of Hourly, Daily, Weekly, Monthly", line: 19,
             hint: "did you mean 'Hourly'?"),
        Case(name: "VAP triggered by S3", replace: "type: VAP\n    trigger: Cron", with: "type: VAP\n    trigger: S3",
             message: "is a VAP, which must use trigger: Cron", line: 18),
        Case(name: "Cron without schedule", replace: "    schedule: Hourly\n", with: "",
             message: "uses trigger: Cron but has no schedule", line: 16),
        Case(name: "unknown type", replace: "type: Ingest", with: "type: ingest",
             message: "must be one of Ingest, VAP", line: 12, hint: "did you mean 'Ingest'?"),
        Case(name: "Ingest site without input path", replace: "{input_bucket_path: lidar/humboldt/, config_file_path",
             with: "{config_file_path", message: "needs input_bucket_path", line: 15),
        Case(name: "config path outside the repo", replace: "pipelines/lidar/config/h.yaml", with: "../../etc/h.yaml",
             message: "points outside the pipelines repository", line: 15),
        Case(name: "absolute config path", replace: "pipelines/lidar/config/h.yaml", with: "/etc/h.yaml",
             message: "must be relative", line: 15),
        Case(name: "duplicate site id", replace: "    configs:\n      humboldt: {config_file_path: pipelines/lidar_vap/config/pipeline.yaml}",
             with: "    configs:\n      humboldt: {config_file_path: a.yaml}\n      humboldt: {config_file_path: b.yaml}",
             message: "duplicate key 'humboldt'", line: 22),
        Case(name: "pipelines not a list", replace: "pipelines:\n  - name: lidar\n", with: "pipelines: lidar\nx:\n  - name: lidar\n",
             message: "'pipelines' must be a list", line: 10),
        Case(name: "timeout out of range", replace: "    trigger: S3\n", with: "    trigger: S3\n    timeout: 1200\n",
             message: "must be between 1 and 900", line: 14),
        Case(name: "memory not a number", replace: "    trigger: S3\n", with: "    trigger: S3\n    memory: lots\n",
             message: "must be a whole number", line: 14),
        Case(name: "boolean where a string is expected", replace: "github_org: my-org", with: "github_org: yes",
             message: "must be a string, found a boolean", line: 1, hint: "put it in quotes: \"yes\""),
        Case(name: "YAML syntax error", replace: "region: us-west-2", with: "region: [us-west-2",
             message: "invalid YAML", line: 6),
        Case(name: "repo name with invalid stack characters only", replace: "pipelines_repo_name: pipeline-template",
             with: "pipelines_repo_name: \"9lives\"", message: "which CloudFormation rejects", line: 2),
        Case(name: "reserved tag prefix", replace: "pipelines:\n", with: "tags:\n  aws:owner: me\npipelines:\n",
             message: "reserved prefix 'aws:'", line: 11),
        Case(name: "site id with a slash", replace: "      humboldt: {input_bucket_path", with: "      \"a/b\": {input_bucket_path",
             message: "site id 'a/b'", line: 15),
    ]

    @Test(arguments: cases)
    func brokenConfigIsReportedWithItsLocation(_ c: Case) throws {
        #expect(Self.base.contains(c.replace), "case \(c.name) does not apply to the base config")
        let source = Self.base.replacingOccurrences(of: c.replace, with: c.with)
        let error = try #require(throws: ConfigErrors.self) {
            try ConfigLoader.parse(source, file: "pipelines_config.yml", branch: c.branch)
        }
        let match = error.diagnostics.first { $0.severity == .error && $0.message.contains(c.message) }
        let found = try #require(match, "expected '\(c.message)' in:\n\(error.description)")
        #expect(found.line == c.line, "\(found)")
        #expect(found.column >= 1)
        #expect(found.file == "pipelines_config.yml")
        if let hint = c.hint { #expect(found.hint == hint) }
        #expect(error.description.contains("pipelines_config.yml:\(found.line):\(found.column): error:"))
    }

    @Test func allErrorsOfAFileAreReportedAtOnce() throws {
        let source = Self.base
            .replacingOccurrences(of: "region: us-west-2", with: "regoin: us-west-2")
            .replacingOccurrences(of: "\"123456789012\"", with: "\"1\"")
            .replacingOccurrences(of: "schedule: Hourly", with: "schedule: Often")
        let error = try #require(throws: ConfigErrors.self) {
            try ConfigLoader.parse(source, file: "c.yml", branch: "main")
        }
        #expect(error.diagnostics.filter { $0.severity == .error }.count >= 4)  // + missing region
        #expect(error.description.contains("errors in c.yml"))
    }

    @Test func baseConfigIsValid() throws {
        let loaded = try ConfigLoader.parse(Self.base, file: "c.yml", branch: "main")
        #expect(loaded.config.pipelines.map(\.name) == ["lidar", "lidar_vap"])
        #expect(loaded.warnings.isEmpty)
    }

    @Test func warningsDoNotStopSynthesis() throws {
        let source = Self.base.replacingOccurrences(of: "    trigger: S3\n", with: "    trigger: S3\n    schedule: Daily\n")
        let loaded = try ConfigLoader.parse(source, file: "c.yml", branch: "main")
        #expect(loaded.warnings.contains { $0.message.contains("schedule is ignored") })
    }

    @Test func missingFileIsAClearError() {
        #expect(throws: ConfigErrors.self) { try ConfigLoader.load(path: "/nonexistent/x.yml", branch: "main") }
    }
}

@Suite struct NamingTests {
    @Test func branchesWithSlashesAndReposWithUnderscoresGiveValidNames() {
        var names = TsdatNames(repo: "pipeline_template", branch: "feature/x")
        #expect(names.codePipelineStack == "pipeline-template-feature-x-CodePipelineStack")
        #expect(names.repositoryName == "pipeline_template-feature-x")
        #expect(TsdatNames.isValidECRName(names.repositoryName))
        #expect(names.imageTag("lidar") == "lidar-feature-x")
        #expect(names.sourceStage == "feature-x-source")
    }

    @Test func longNamesAreShortenedDeterministicallyToTheirLimit() {
        var a = TsdatNames(repo: "offshore-wind-measurement-pipelines", branch: "main")
        var b = TsdatNames(repo: "offshore-wind-measurement-pipelines", branch: "main")
        let name = a.functionName("wind", "station_01_with_a_rather_long_identifier")
        #expect(name.count == 64)
        #expect(name == b.functionName("wind", "station_01_with_a_rather_long_identifier"))
        #expect(name != a.functionName("wind", "station_02_with_a_rather_long_identifier"))
        #expect(a.shortened.count == 2)
        #expect(a.lambdaRoleName().count <= 64)
    }

    @Test func upperCaseReposAreLowerCasedForECR() {
        let names = TsdatNames(repo: "My.Pipelines", branch: "Main")
        #expect(names.repositoryName == "my.pipelines-main")
        #expect(names.codePipelineStack == "My-Pipelines-Main-CodePipelineStack")
    }
}
