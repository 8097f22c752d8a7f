import CloudFormation
import Foundation
import SeededRandom
import Testing
import Yams

/// Seeded random strings (controls, C1, NEL, LS/PS, BOM, quotes, indicators, emoji) in keys
/// and values: YAML and JSON output must both read back as exactly the value written.
@Suite struct WriterFuzzTests {
    /// Not U+FEFF: Foundation's JSON reader and libyaml both drop a byte-order mark inside a
    /// string, whatever the writer does; the config reader refuses one in any name or path.
    static let alphabet: [Unicode.Scalar] = Array("aZ09 -_:#&*!|>'\"%@`{}[],?~.\\/$\t\n\r".unicodeScalars)
        + [0x0, 0x1B, 0x7F, 0x80, 0x85, 0x9F, 0xA0, 0xE9, 0x2028, 0x2029, 0xFFFD, 0x1F600].compactMap(Unicode.Scalar.init)

    static func randomString(_ rng: inout SplitMix64) -> String {
        var s = String.UnicodeScalarView()
        for _ in 0..<Int.random(in: 0...12, using: &rng) { s.append(alphabet.randomElement(using: &rng)!) }
        return String(s)
    }

    @Test func randomStringsRoundTripThroughBothWriters() throws {
        let cases = ProcessInfo.processInfo.environment["TSDEPLOY_FUZZ_CASES"].flatMap(Int.init) ?? 3000
        var rng = SplitMix64(state: 42)
        for i in 0..<cases {
            let key = "k" + Self.randomString(&rng)
            let value = Self.randomString(&rng)
            let template: TemplateValue = .object(OrderedObject([(key, .string(value)), ("list", .array([.string(value), .int(i)]))]))
            let yaml = YAMLWriter().string(template)
            let node = try Yams.compose(yaml: yaml)
            #expect(node?[Node(key)]?.string == value, "case \(i): \(value.unicodeScalars.map { String($0.value, radix: 16) }) in YAML:\n\(yaml)")
            let json = try JSONSerialization.jsonObject(with: Data(JSONWriter().string(template).utf8)) as? [String: Any]
            #expect(json?[key] as? String == value, "case \(i): JSON")
        }
    }

    @Test func theCompactByteCountIsTheLengthOfTheCompactJSON() {
        var rng = SplitMix64(state: 7)
        for i in 0..<500 {
            let key = Self.randomString(&rng)
            let value: TemplateValue = .object(OrderedObject([
                (key, .string(Self.randomString(&rng))), ("n", .int(i - 250)), ("d", .double(Double(i) / 8)),
                ("list", .array([.bool(i % 2 == 0), .null, .array([]), .object(OrderedObject())])),
            ]))
            #expect(JSONWriter.compactByteCount(value) == JSONWriter.compact(value).utf8.count, "case \(i)")
        }
    }
}
