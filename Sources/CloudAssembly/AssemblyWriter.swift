import CloudFormation
import ConstructCore
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes a cloud assembly so that readers see the old one or the new one, never a mix:
/// everything goes to a temporary sibling directory first, which then takes the place of
/// the output directory (an atomic exchange on Linux, two renames elsewhere).
public struct AssemblyWriter {
    public let outputDirectory: URL

    public init(outputDirectory: URL) { self.outputDirectory = outputDirectory }

    /// The files of the assembly: name → contents.
    public static func files(for artifacts: [StackArtifact]) -> [(name: String, contents: String)] {
        var files: [(String, String)] = [
            ("cdk.out", JSONWriter().string(["version": .string(Manifest.schemaVersion)]) + "\n"),
            ("manifest.json", JSONWriter().string(Manifest.render(artifacts)) + "\n"),
        ]
        for a in artifacts {
            files.append((Manifest.templateFileName(a.stackName), JSONWriter().string(a.template.render()) + "\n"))
        }
        return files
    }

    struct FileRenderer: Sendable {
        var name: String
        var render: @Sendable () -> String
    }

    static func fileRenderers(for artifacts: [StackArtifact]) -> [FileRenderer] {
        var files = [
            FileRenderer(name: "cdk.out") { JSONWriter().string(["version": .string(Manifest.schemaVersion)]) + "\n" },
            FileRenderer(name: "manifest.json") { JSONWriter().string(Manifest.render(artifacts)) + "\n" },
        ]
        for a in artifacts {
            files.append(FileRenderer(name: Manifest.templateFileName(a.stackName)) { JSONWriter().string(a.template.render()) + "\n" })
        }
        return files
    }

    public func write(_ artifacts: [StackArtifact]) throws {
        let fm = FileManager.default
        let target = outputDirectory.standardizedFileURL
        let parent = target.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        try Self.checkReplaceable(target)
        Self.removeStaleStaging(for: target)
        let staging = parent.appendingPathComponent(".\(target.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: false)
        do {
            // One template at a time per core, each written as soon as it is rendered: at
            // 1,000 pipelines holding every rendered template at once doubled peak memory.
            let dir = staging
            let errors = Parallel.map(Self.fileRenderers(for: artifacts)) { file -> String? in
                do {
                    try Data(file.render().utf8).write(to: dir.appendingPathComponent(file.name))
                    return nil
                } catch {
                    return "\(file.name): \(error)"
                }
            }
            if let first = errors.compactMap({ $0 }).first { throw AssemblyWriteError(message: "could not write \(first)") }
            try replace(target, with: staging)
        } catch {
            try? fm.removeItem(at: staging)
            throw error
        }
    }

    /// Whether a file name is one an assembly of ours holds.
    static func isAssemblyFile(_ name: String) -> Bool {
        name == "cdk.out" || name == "manifest.json" || name.hasSuffix(".template.json")
    }

    /// The output directory is replaced whole, so it may hold only an assembly this tool
    /// wrote: `--output .` must never delete a project.
    static func checkReplaceable(_ target: URL) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: target.path, isDirectory: &isDir) else { return }
        guard isDir.boolValue else {
            throw AssemblyError("\(target.path) exists and is not a directory; remove it or choose another --output")
        }
        let entries = try fm.contentsOfDirectory(atPath: target.path)
        guard !entries.isEmpty else { return }
        let foreign = entries.filter { !isAssemblyFile($0) }.sorted()
        let ours = entries.contains("cdk.out") && entries.contains("manifest.json")
        guard foreign.isEmpty, ours else {
            let shown = (foreign.isEmpty ? entries.sorted() : foreign).prefix(3).joined(separator: ", ")
            throw AssemblyError("\(target.path) is not a cloud assembly tsdeploy wrote (it holds \(shown)\(foreign.count > 3 ? ", …" : "")); "
                                + "synth replaces its output directory whole, so it writes nothing there",
                                hint: "choose an empty or new directory with --output (the default is cdk.out)")
        }
    }

    /// Staging directories of earlier runs that were killed before they finished.
    static func removeStaleStaging(for target: URL) {
        let fm = FileManager.default
        let parent = target.deletingLastPathComponent()
        let prefix = ".\(target.lastPathComponent).tmp-"
        guard let entries = try? fm.contentsOfDirectory(atPath: parent.path) else { return }
        for entry in entries where entry.hasPrefix(prefix) {
            let pidText = entry.dropFirst(prefix.count).prefix { $0.isNumber }
            guard let pid = Int32(pidText), pid != ProcessInfo.processInfo.processIdentifier else { continue }
            if kill(pid, 0) == -1, errno == ESRCH {
                try? fm.removeItem(at: parent.appendingPathComponent(entry))
            }
        }
    }

    private func replace(_ target: URL, with staging: URL) throws {
        let fm = FileManager.default
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: target.path, isDirectory: &isDir) else {
            try fm.moveItem(at: staging, to: target)
            return
        }
        guard isDir.boolValue else {
            throw AssemblyError("\(target.path) exists and is not a directory; remove it or choose another --output")
        }
        #if os(Linux)
        // renameat2(RENAME_EXCHANGE) swaps both names in one step. Glibc's Swift module does
        // not export it, so look it up (glibc ≥ 2.28); fall back to two renames without it.
        typealias RenameAt2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
        var exchanged: Int32 = -1
        if let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "renameat2") {
            let renameat2 = unsafeBitCast(symbol, to: RenameAt2.self)
            exchanged = target.path.withCString { t in
                staging.path.withCString { s in renameat2(AT_FDCWD, s, AT_FDCWD, t, 2 /* RENAME_EXCHANGE */) }
            }
        }
        if exchanged == 0 {
            try fm.removeItem(at: staging)  // now holds the previous assembly
            return
        }
        #endif
        let old = staging.appendingPathExtension("old")
        try fm.moveItem(at: target, to: old)
        try fm.moveItem(at: staging, to: target)
        try? fm.removeItem(at: old)
    }
}

public struct AssemblyError: Error, CustomStringConvertible {
    public var message: String
    public var hint: String?
    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
    public var description: String { message + (hint.map { "\n  hint: \($0)" } ?? "") }
}

struct AssemblyWriteError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}
