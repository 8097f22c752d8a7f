import Foundation
import SeededRandom
import Testing
import TsdatApp

/// A seeded generator of hostile configs: mutations of the sample plus alias bombs, deep
/// nesting, huge scalars, invalid UTF-8, a BOM, CR and CRLF line ends, tabs, tags and extra
/// documents. Every input must end in a result or located errors, within a second; a crash
/// ends the run. `bin/fuzz N` runs N inputs in a release build (docs/reliability.md);
/// bin/test runs a short one. TSDEPLOY_FUZZ_CASES and TSDEPLOY_FUZZ_SEED set count and seed.
@Suite struct ConfigFuzzTests {
    typealias SplitMix = SplitMix64

    static let fragments: [String] = [
        "\r", "\r\n", "\n", "\t", "\u{FEFF}", "\u{85}", "\u{2028}", "\u{0}", "\u{1B}[2J", "\u{9B}", "'", "\"", ":", ": ", "- ",
        "[", "]", "{", "}", "&a ", "*a", "!", "!!binary ", "!custom ", "!!python/object:os.system ", "%YAML 1.1\n", "---\n",
        "...\n", "? ", "|\n  ", ">\n  ", "#", "@", "`", ",", "é", "😀", "~", "null", "yes", "0x1F", "1e9", "<<: *a\n",
    ]

    static func bomb(levels: Int, width: Int) -> String {
        var lines = ["b0: &b0 [" + Array(repeating: "x", count: width).joined(separator: ", ") + "]"]
        for i in 1..<levels { lines.append("b\(i): &b\(i) [" + Array(repeating: "*b\(i - 1)", count: width).joined(separator: ", ") + "]") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func mutate(_ base: String, _ rng: inout SplitMix) -> String {
        var s = Array(base.unicodeScalars)
        let rounds = Int.random(in: 1...4, using: &rng)
        for _ in 0..<rounds {
            let at = s.isEmpty ? 0 : Int.random(in: 0...s.count, using: &rng)
            switch Int.random(in: 0..<12, using: &rng) {
            case 0...3: s.insert(contentsOf: fragments.randomElement(using: &rng)!.unicodeScalars, at: at)
            case 4: if !s.isEmpty { let end = min(s.count, at + Int.random(in: 1...40, using: &rng)); s.removeSubrange(min(at, s.count)..<end) }
            case 5: s = Array(String(String.UnicodeScalarView(s)).replacingOccurrences(of: "\n", with: Bool.random(using: &rng) ? "\r" : "\r\n").unicodeScalars)
            case 6: s.insert(contentsOf: ("\n" + bomb(levels: Int.random(in: 3...12, using: &rng), width: Int.random(in: 2...9, using: &rng))).unicodeScalars, at: s.count)
            case 7:
                let depth = Int.random(in: 10...5000, using: &rng)
                s.insert(contentsOf: ("\nd: " + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "\n").unicodeScalars, at: s.count)
            case 8:
                let size = [100, 10_000, 70_000, 300_000].randomElement(using: &rng)!
                s.insert(contentsOf: ("\nhuge_" + String(repeating: "k", count: size) + ": " + String(repeating: "v", count: size) + "\n").unicodeScalars, at: s.count)
            case 9: s.insert(contentsOf: "? *a\n: 1\n".unicodeScalars, at: at)
            case 10:
                let lines = String(String.UnicodeScalarView(s)).components(separatedBy: "\n")
                if let line = lines.randomElement(using: &rng) { s.insert(contentsOf: (line + "\n").unicodeScalars, at: at) }
            default: s.insert(contentsOf: "    \t  ".unicodeScalars, at: at)
            }
        }
        return String(String.UnicodeScalarView(s))
    }

    @Test func hostileConfigsEndInResultsOrLocatedErrorsWithinASecond() throws {
        let environment = ProcessInfo.processInfo.environment
        let cases = environment["TSDEPLOY_FUZZ_CASES"].flatMap(Int.init) ?? 1500
        let seed = environment["TSDEPLOY_FUZZ_SEED"].flatMap(UInt64.init) ?? 20261125
        var rng = SplitMix(state: seed)
        let base = try Fixtures.sampleSource()
        var slowest = (seconds: 0.0, index: -1)
        var outcomes = (valid: 0, errors: 0)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tsdeploy-fuzz-\(getpid())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        for index in 0..<cases {
            let input = Self.mutate(base, &rng)
            let started = Date()
            do {
                if index % 50 == 0 {
                    // Through the file reader, with bytes that are not UTF-8.
                    var bytes = Array(input.utf8)
                    bytes.insert(contentsOf: [0xC3, 0x28, 0xFF], at: Int.random(in: 0...bytes.count, using: &rng))
                    let file = directory.appendingPathComponent("c.yml")
                    try Data(bytes).write(to: file)
                    _ = try ConfigLoader.load(path: file.path, branch: "main")
                } else {
                    _ = try ConfigLoader.parse(input, file: "fuzz.yml", branch: "main")
                }
                outcomes.valid += 1
            } catch let error as ConfigErrors {
                outcomes.errors += 1
                #expect(!error.diagnostics.isEmpty)
                for d in error.diagnostics {
                    #expect(d.line >= 1 && d.column >= 1, "case \(index): unlocated \(d.message)")
                    #expect(d.message.count < 400, "case \(index): message of \(d.message.count) characters")
                }
                #expect(error.description.count < 20_000, "case \(index): \(error.description.count) characters of errors")
            }
            let seconds = Date().timeIntervalSince(started)
            if seconds > slowest.seconds { slowest = (seconds, index) }
            #expect(seconds < 1, "case \(index) (seed \(seed)) took \(seconds) s")
        }
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        let peakMB = Int(usage.ru_maxrss) / 1024
        print("config fuzz: \(cases) inputs (seed \(seed)): \(outcomes.valid) valid, \(outcomes.errors) rejected with located errors; "
              + "slowest \(String(format: "%.1f", slowest.seconds * 1000)) ms (case \(slowest.index)); peak RSS \(peakMB) MB")
        #expect(peakMB < 1024)
    }
}

/// The overlapping-prefix warning finds, for each S3 site, the first earlier site in the file
/// whose prefix overlaps its own — checked against the pairwise definition on random trees of
/// prefixes (the check sorts instead of comparing every pair).
@Suite struct OverlappingPrefixTests {
    @Test(arguments: 0..<40) func matchesThePairwiseDefinition(seed: Int) throws {
        var random = SplitMix64(state: UInt64(seed))
        let segments = ["a", "b", "ab", "c"]
        var prefixes: [String] = []
        let count = Int(random.next() % 12) + 2
        for _ in 0..<count {
            var parts: [String] = []
            let depth = Int(random.next() % 3) + 1
            for _ in 0..<depth { parts.append(segments[Int(random.next() % 4)]) }
            prefixes.append(parts.joined(separator: "/") + "/")
        }
        var text = try Fixtures.sampleSource()
        let start = text.range(of: "pipelines:")!.lowerBound
        text = String(text[..<start]) + "pipelines:\n  - name: p\n    type: Ingest\n    trigger: S3\n    configs:\n"
            + prefixes.enumerated().map { "      s\($0.offset): {input_bucket_path: \($0.element), config_file_path: c.yaml}" }.joined(separator: "\n") + "\n"
        let loaded = try ConfigLoader.parse(text, file: "t.yml", branch: "main")
        let got = loaded.warnings.map(\.message).filter { $0.contains("overlapping") }
        var expected: [String] = []
        for (i, p) in prefixes.enumerated() {
            guard let j = prefixes[..<i].firstIndex(where: { p.hasPrefix($0) || $0.hasPrefix(p) }) else { continue }
            expected.append("'p/s\(i)' and 'p/s\(j)' watch overlapping prefixes ('\(p)' and '\(prefixes[j])'): both run for the same files")
        }
        #expect(got == expected, "\(prefixes)")
    }
}
