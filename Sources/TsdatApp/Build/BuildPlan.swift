import Crypto
import Foundation

/// What the build does with the pipelines repository: which files make each image, the
/// content hash that names it, and the tags and template parameter tsdeploy uses for it.
///
/// An image is addressed by the hash of everything it is built from (the repository's
/// environment files, shared code, the pipeline's folder and tsdeploy's image files), and
/// pushed with the tag `src-HASH` beside the reference's `{pipeline}-{branch}`. A build
/// rebuilds only pipelines whose `src-` tag is not in the repository yet — a changed folder,
/// changed shared files, a new tsdeploy handler or a deleted image — and the deploy pins
/// every function to the digest behind its `src-` tag. Nothing is recomputed in shell.
public struct BuildPlan: Sendable {
    public struct Image: Sendable {
        public let pipeline: String
        /// `pipelines/NAME` in the pipelines repository.
        public let folder: String
        public let tag: String
        public let sourceTag: String
        public let parameter: String
        public let files: [String]
    }

    public let branch: String
    public let repositoryName: String
    public let registry: String
    public let baseHash: String
    public let baseFiles: [String]
    public let images: [Image]

    public var repositoryUri: String { "\(registry)/\(repositoryName)" }
    public var baseImage: String { "tsdeploy-base:\(baseHash.prefix(16))" }

    static let baseRootFiles = ["environment.yml", "pipelines/__init__.py"]
    static let baseFolders = ["shared", "utils"]
    static let skipped: Set<String> = [".git", "__pycache__", ".DS_Store", ".pytest_cache", ".mypy_cache", ".ipynb_checkpoints"]

    public init(deployment: TsdatDeployment, config: PipelinesConfig, branch: String, pipelinesDir: URL) throws {
        let root = pipelinesDir.standardizedFileURL.resolvingSymlinksInPath()
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: root.path, isDirectory: &isDir), isDir.boolValue else {
            throw BuildPlanError("the pipelines repository \(root.path) is not a directory", hint: "pass --pipelines-dir with a checkout of \(config.githubOrg)/\(config.pipelinesRepoName)")
        }
        self.branch = branch
        repositoryName = deployment.codePipelineStack.repositoryName
        let suffix = config.region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
        registry = "\(config.accountId).dkr.ecr.\(config.region).\(suffix)"

        let rootFiles = try FileManager.default.contentsOfDirectory(atPath: root.path)
        let requirements = rootFiles.filter { $0.hasPrefix("requirements") && $0.hasSuffix(".txt") }.sorted()
        guard rootFiles.contains("environment.yml") || rootFiles.contains("requirements.txt") else {
            throw BuildPlanError("\(root.path) has neither environment.yml nor requirements.txt, so there is no Python environment to build",
                                 hint: "the pipelines repository (like tsdat/pipeline-template) keeps its environment.yml at its root")
        }
        var base = Self.baseRootFiles.filter { FileManager.default.fileExists(atPath: root.appendingPathComponent($0).path) } + requirements
        for folder in Self.baseFolders { base += try Self.files(under: folder, in: root) }
        baseFiles = base.sorted()
        var hasher = SHA256()
        for name in ["Dockerfile.base", "setup_environment.sh", "lambda_function.py"] { Self.add(name, Data(ImageFiles.text(name).utf8), to: &hasher) }
        for path in baseFiles { Self.add(path, try Data(contentsOf: root.appendingPathComponent(path)), to: &hasher) }
        baseHash = Self.hex(hasher.finalize())

        let folders = ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("pipelines").path)) ?? []).sorted()
        var images: [Image] = []
        for image in deployment.images {
            let folder = "pipelines/\(image.pipeline)"
            guard folders.contains(image.pipeline) else {
                let near = folders.min { Self.distance($0, image.pipeline) < Self.distance($1, image.pipeline) }
                throw BuildPlanError("pipeline '\(image.pipeline)' has no folder \(folder) in \(root.path)",
                                     hint: near.map { "did you mean '\($0)'? (pipelines_config.yml names the folder)" } ?? "each configured pipeline needs its folder under pipelines/")
            }
            let files = try Self.files(under: folder, in: root)
            var h = SHA256()
            Self.add("base", Data(baseHash.utf8), to: &h)
            Self.add("pipeline", Data(image.pipeline.utf8), to: &h)
            Self.add("Dockerfile.pipeline", Data(ImageFiles.text("Dockerfile.pipeline").utf8), to: &h)
            for path in files { Self.add(path, try Data(contentsOf: root.appendingPathComponent(path)), to: &h) }
            images.append(Image(pipeline: image.pipeline, folder: folder, tag: image.tag,
                                sourceTag: "src-" + Self.hex(h.finalize()).prefix(32), parameter: image.parameter, files: files))
        }
        for p in config.pipelines {
            for site in p.sites where !FileManager.default.fileExists(atPath: root.appendingPathComponent(site.configFilePath).path) {
                throw BuildPlanError("config_file_path \(site.configFilePath) of \(p.name)/\(site.id) is not in \(root.path)",
                                     hint: "paths in pipelines_config.yml are relative to the pipelines repository's root")
            }
        }
        self.images = images
        self.root = root
    }

    let root: URL

    /// Writes one Docker build context per image: `DIR/base` and `DIR/NN-PIPELINE`. Returns
    /// each image's context directory by pipeline.
    @discardableResult
    public func writeContexts(to dir: URL) throws -> [String: URL] {
        let fm = FileManager.default
        let marker = dir.appendingPathComponent(".tsdeploy-build-context")
        if fm.fileExists(atPath: dir.path) {
            // Replaced only when it is one we wrote (or empty): never a directory of the user's.
            let entries = (try? fm.contentsOfDirectory(atPath: dir.path)) ?? []
            guard entries.isEmpty || fm.fileExists(atPath: marker.path) else {
                throw BuildPlanError("\(dir.path) exists and is not a build context tsdeploy wrote; not replacing it",
                                     hint: "pass --context with a new or empty directory")
            }
            try fm.removeItem(at: dir)
        }
        try fm.createDirectory(at: dir, withIntermediateDirectories: true)
        try Data("written by tsdeploy build-plan; replaced on the next run\n".utf8).write(to: marker)
        let base = dir.appendingPathComponent("base")
        try fm.createDirectory(at: base, withIntermediateDirectories: true)
        try Data(ImageFiles.text("Dockerfile.base").utf8).write(to: base.appendingPathComponent("Dockerfile"))
        for name in ["setup_environment.sh", "lambda_function.py"] { try Data(ImageFiles.text(name).utf8).write(to: base.appendingPathComponent(name)) }
        try fm.createDirectory(at: base.appendingPathComponent("env"), withIntermediateDirectories: true)
        try fm.createDirectory(at: base.appendingPathComponent("task"), withIntermediateDirectories: true)
        for path in baseFiles {
            // Root files describe the environment; files in folders are code the functions import.
            let into = path.contains("/") ? "task" : "env"
            try copy(path, into: base.appendingPathComponent(into))
        }
        var contexts: [String: URL] = [:]
        for (i, image) in images.enumerated() {
            let ctx = dir.appendingPathComponent(String(format: "%02d-", i + 1) + image.pipeline)
            try fm.createDirectory(at: ctx.appendingPathComponent("task"), withIntermediateDirectories: true)
            let dockerfile = ImageFiles.text("Dockerfile.pipeline").replacingOccurrences(of: "{{BASE_IMAGE}}", with: baseImage)
            try Data(dockerfile.utf8).write(to: ctx.appendingPathComponent("Dockerfile"))
            for path in image.files { try copy(path, into: ctx.appendingPathComponent("task")) }
            contexts[image.pipeline] = ctx
        }
        return contexts
    }

    private func copy(_ path: String, into dir: URL) throws {
        let target = dir.appendingPathComponent(path)
        try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(contentsOf: root.appendingPathComponent(path)).write(to: target)
    }

    /// Regular files under `folder`, relative to `root`, sorted; caches skipped. A symbolic
    /// link is followed only when it stays inside the repository.
    static func files(under folder: String, in root: URL) throws -> [String] {
        let start = root.appendingPathComponent(folder)
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: start.path, isDirectory: &isDir), isDir.boolValue else { return [] }
        var out: [String] = []
        var stack = [folder]
        while let rel = stack.popLast() {
            for name in try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(rel).path) where !skipped.contains(name) && !name.hasSuffix(".pyc") {
                let path = rel + "/" + name
                let url = root.appendingPathComponent(path)
                let resolved = url.resolvingSymlinksInPath().path
                guard resolved == root.path || resolved.hasPrefix(root.path + "/") else {
                    throw BuildPlanError("\(path) links outside the pipelines repository (to \(resolved))", hint: "images hold only the repository's own files; copy it in instead")
                }
                var dir: ObjCBool = false
                _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &dir)
                if dir.boolValue { stack.append(path) } else { out.append(path) }
            }
        }
        return out.sorted()
    }

    /// Length-prefixed, so no two file lists hash alike by shifting bytes between names.
    static func add(_ name: String, _ data: Data, to hasher: inout SHA256) {
        hasher.update(data: Data("\(name.utf8.count):\(name)\(data.count):".utf8))
        hasher.update(data: data)
    }

    static func hex(_ digest: SHA256.Digest) -> String { digest.map { String(format: "%02x", $0) }.joined() }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var prev = row[0]; row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let cur = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] == b[j - 1] ? 0 : 1))
                prev = cur
            }
        }
        return row[b.count]
    }
}

public struct BuildPlanError: Error, CustomStringConvertible {
    public let message: String
    public let hint: String?
    public init(_ message: String, hint: String? = nil) { self.message = message; self.hint = hint }
    public var description: String { message }
}
