import Foundation

/// The tsdeploy binary the build should run: the one given, or this process's own when it
/// can run in CodeBuild (Linux x86_64, Swift runtime linked in).
enum SelfBinary {
    /// (path, nil) or (nil, why not).
    static func forBuild(explicit: String?) throws -> (path: String?, whyNot: String?) {
        if let explicit {
            let url = URL(fileURLWithPath: explicit)
            guard let data = try? FileHandle(forReadingFrom: url).read(upToCount: 20), data.count == 20 else {
                throw CLIError("--tsdeploy-binary \(explicit) cannot be read", hint: "pass the Linux binary from `bin/package` or a release")
            }
            // ELF, 64-bit, little-endian, e_machine 0x3E (x86-64): what CodeBuild's image runs.
            guard data.prefix(4) == Data([0x7F, 0x45, 0x4C, 0x46]), data[4] == 2, data[5] == 1, data[18] == 0x3E, data[19] == 0 else {
                throw CLIError("--tsdeploy-binary \(explicit) is not a Linux x86-64 executable",
                               hint: "the build runs on Amazon Linux x86-64: use the tsdeploy-linux-x86_64 binary (`bin/package` builds it on Linux)")
            }
            return (url.standardizedFileURL.path, nil)
        }
        #if os(Linux) && arch(x86_64)
        // A development build loads the Swift runtime from the toolchain, which CodeBuild lacks.
        // Read to the end: /proc files report size 0, so a size-based read gets nothing.
        let maps = FileHandle(forReadingAtPath: "/proc/self/maps").map { String(decoding: $0.readDataToEndOfFile(), as: UTF8.self) } ?? ""
        if maps.contains("libswiftCore.so") {
            return (nil, "this tsdeploy loads the Swift runtime from the toolchain; deploy with the packaged binary (bin/package) or pass --tsdeploy-binary")
        }
        let path = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        return (path, nil)
        #else
        return (nil, "this tsdeploy is not a Linux x86-64 binary; pass --tsdeploy-binary with the Linux release (docs/ci.md)")
        #endif
    }
}
