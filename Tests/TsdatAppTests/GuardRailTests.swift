import CloudAssembly
import CloudFormation
import Foundation
import Testing
import TsdatApp

/// Issue 9's config and naming guard rails, one case per way in.
@Suite struct BranchNameTests {
    @Test(arguments: ["main", "feature/x", "release-1.2", "dev_2", "a/b/c", "x.y"])
    func usableBranches(_ branch: String) {
        #expect(BranchName.problem(branch) == nil)
    }

    @Test(arguments: [
        ("main ", "space or control"), ("-main", "starts with '-'"), ("main*", "'*'"), ("*", "'*'"), ("..", "not a valid git branch"),
        ("é", "'é'"), ("--", "starts with '-'"), ("$(id)", "'$'"), ("a\nb", "space or control"), ("a\u{85}b", "space or control"),
        ("Main", "same AWS names as branch 'main'"), ("main-", "same AWS names as branch 'main'"), ("a--b", "same AWS names as branch 'a-b'"),
        ("a/.b", "not a valid git branch"), ("x.lock", "not a valid git branch"), ("a@{1}", "not a valid git branch"), ("", "must not be empty"),
    ])
    func refusedBranches(_ branch: String, _ reason: String) {
        let problem = BranchName.problem(branch)
        #expect(problem?.0.contains(reason) == true, "\(branch): \(problem?.0 ?? "accepted")")
    }
}

@Suite struct ConfigReaderLimitTests {
    func errors(_ source: String) -> [ConfigDiagnostic] {
        do {
            _ = try ConfigLoader.parse(source, file: "c.yml", branch: "main")
            return []
        } catch let e as ConfigErrors {
            return e.diagnostics
        } catch {
            return []
        }
    }

    @Test(arguments: ["\r\ra: 1\ra: 2\r", "\r\n\r\na: 1\r\na: 2\r\n", "\n\ra: 1\n\ra: 2\n\r", "\u{85}a: 1\u{2028}a: 2"])
    func duplicateKeysWithAnyLineEndIsLocatedNotACrash(_ source: String) {
        let found = errors(source)
        #expect(found.first?.message == "duplicate key 'a'")
        let expectedLine = SourceLines.split(source).firstIndex { String($0) == "a: 2" }.map { $0 + 1 }
        #expect(found.first?.line == expectedLine)
        #expect(found.first.map { $0.rendered(source: source).contains("\($0.line) | a: 2") } == true)
    }

    @Test func aliasBombAsAKeyIsRefusedQuickly() {
        var lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
        for i in 1..<12 { lines.append("a\(i): &a\(i) [" + Array(repeating: "*a\(i - 1)", count: 9).joined(separator: ", ") + "]") }
        let started = Date()
        let keyed = errors(lines.joined(separator: "\n") + "\n? *a11\n: 1\n")
        let plain = errors(lines.joined(separator: "\n") + "\n")
        #expect(Date().timeIntervalSince(started) < 1)
        #expect(keyed.contains { $0.message.contains("expands to more than") || $0.message.contains("cannot be a key") })
        #expect(plain.contains { $0.message.contains("expands to more than") })
        #expect(errors("a: &a x\n? *a\n: 1\n").first?.message.contains("cannot be a key") == true)
    }

    @Test func hugeScalarIsRefusedQuicklyAndEchoedShort() throws {
        let source = "github_orgx: " + String(repeating: "a", count: 3_000_000) + "\n"
        let started = Date()
        let found = errors(source)
        #expect(Date().timeIntervalSince(started) < 1)
        #expect(found.first?.message.contains("values are at most 65536 bytes") == true)
        let rendered = try #require(found.first).rendered(source: source)
        #expect(rendered.count < 400)
        // A long unknown key still gets no did-you-mean search over megabytes, and a short echo.
        let key = String(repeating: "k", count: 1000)  // libyaml takes keys up to 1024 characters
        let keyErrors = errors(try Fixtures.sampleSource() + "\(key): 1\n")
        #expect(keyErrors.contains { $0.message.hasPrefix("unknown key 'kkk") && $0.message.count < 200 })
    }

    @Test func deepNestingIsRefused() {
        let found = errors("a: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n")
        #expect(found.first.map { $0.message.contains("nest") } == true)
    }

    @Test(arguments: ["!!binary dXMtd2VzdC0y", "!!python/object:os.system x", "!custom us-west-2"])
    func unknownTagsAreErrors(_ tagged: String) throws {
        let source = try Fixtures.sampleSource().replacingOccurrences(of: "region: us-west-2", with: "region: \(tagged)")
        #expect(errors(source).contains { $0.message.contains("unsupported YAML tag") })
    }

    @Test func secondDocumentIsAnError() throws {
        #expect(errors(try Fixtures.sampleSource() + "---\na: 1\n").contains { $0.message.contains("more than one YAML document") })
    }

    /// YAML escapes, so the value really holds the character (a raw NEL or LS inside
    /// quotes is a line break to YAML, folded to a space).
    @Test(arguments: [("\\N", "\u{85}"), ("\\x9B", "\u{9B}"), ("\\e", "\u{1B}"), ("\\L", "\u{2028}"), ("\\uFEFF", "\u{FEFF}"), ("\u{9B}", "\u{9B}")])
    func controlCharactersInPathsAreErrors(_ c: String, _ character: String) throws {
        let source = try Fixtures.sampleSource()
            .replacingOccurrences(of: "config_file_path: pipelines/lidar/config/", with: "config_file_path: \"pipelines/lidar/\(c)config/")
            .replacingOccurrences(of: ".yaml}", with: ".yaml\"}")
        let found = errors(source)
        #expect(found.contains { $0.message.contains("control character") }, "\(found.map(\.message))")
        #expect(!found.contains { $0.description.unicodeScalars.contains { $0.value == character.unicodeScalars.first!.value } })
    }

    @Test func reservedTagPrefixIsAnError() throws {
        let source = try Fixtures.sampleSource().replacingOccurrences(of: "owner: data-team", with: "tsdeploy:branch: other")
        #expect(errors(source).contains { $0.message.contains("prefix 'tsdeploy:'") })
    }
}

@Suite struct BuildGrantTests {
    /// The build role names each function, rule and log group: no `{repo}-{branch}*`
    /// pattern that branch `m` would share with `main`.
    @Test func buildRoleGrantsExactNamesNotPrefixes() throws {
        let artifacts = try Fixtures.synthesize(Fixtures.sample)
        let build = try #require(artifacts.first { $0.displayName == "CodePipelineStack" })
        let json = JSONWriter().string(build.template.render())
        #expect(json.contains("function:pipeline-template-main-lambda-lidar-humboldt\""))
        #expect(json.contains("rule/pipeline-template-main-lidar-humboldt-trigger\""))
        #expect(json.contains("log-group:/aws/lambda/pipeline-template-main-lambda-lidar-humboldt:*\""))
        #expect(!json.contains("pipeline-template-main*"))
        #expect(!json.contains(":function:pipeline-template-m*"))
    }
}

@Suite struct AssemblyOutputTests {
    func temp() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tsdeploy-out-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        return dir
    }

    @Test func aDirectoryWithOtherFilesIsNeverReplaced() throws {
        let project = try temp()
        defer { try? FileManager.default.removeItem(at: project) }
        try Data("keep".utf8).write(to: project.appendingPathComponent("pipelines_config.yml"))
        let artifacts = try Fixtures.synthesize(Fixtures.sample)
        #expect(throws: AssemblyError.self) { try AssemblyWriter(outputDirectory: project).write(artifacts) }
        #expect(FileManager.default.fileExists(atPath: project.appendingPathComponent("pipelines_config.yml").path))
        // Its own assembly, an empty directory and a new one are fine.
        let out = project.appendingPathComponent("out")
        try AssemblyWriter(outputDirectory: out).write(artifacts)
        try AssemblyWriter(outputDirectory: out).write(artifacts)
        let empty = project.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: false)
        try AssemblyWriter(outputDirectory: empty).write(artifacts)
        // Templates alone are not proof of an assembly of ours.
        let templates = project.appendingPathComponent("templates")
        try FileManager.default.createDirectory(at: templates, withIntermediateDirectories: false)
        try Data("{}".utf8).write(to: templates.appendingPathComponent("mine.template.json"))
        #expect(throws: AssemblyError.self) { try AssemblyWriter(outputDirectory: templates).write(artifacts) }
    }

    @Test func stagingLeftByAKilledRunIsRemoved() throws {
        let parent = try temp()
        defer { try? FileManager.default.removeItem(at: parent) }
        let stale = parent.appendingPathComponent(".out.tmp-999999")  // no such process
        try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: false)
        try AssemblyWriter(outputDirectory: parent.appendingPathComponent("out")).write(try Fixtures.synthesize(Fixtures.sample))
        #expect(!FileManager.default.fileExists(atPath: stale.path))
    }
}
