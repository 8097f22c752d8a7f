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

    public func write(_ artifacts: [StackArtifact]) throws {
        let fm = FileManager.default
        let target = outputDirectory.standardizedFileURL
        let parent = target.deletingLastPathComponent()
        try fm.createDirectory(at: parent, withIntermediateDirectories: true)
        let staging = parent.appendingPathComponent(".\(target.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        try? fm.removeItem(at: staging)
        try fm.createDirectory(at: staging, withIntermediateDirectories: false)
        do {
            for file in Self.files(for: artifacts) {
                try Data(file.contents.utf8).write(to: staging.appendingPathComponent(file.name))
            }
            try replace(target, with: staging)
        } catch {
            try? fm.removeItem(at: staging)
            throw error
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
    public var description: String
    public init(_ description: String) { self.description = description }
}
