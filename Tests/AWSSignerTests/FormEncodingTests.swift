import AWSSigner
import Foundation
import Testing

/// Query-protocol bodies (CloudFormation, STS) encoded by us and by botocore 1.43's own
/// request preparation must be the same bytes: moto's strict mode verifies the signature
/// over the form as it re-encodes it, so `%20` where botocore sends `+` fails there.
@Suite struct FormEncodingTests {
    static let alphabet = Array("aZ09 *~+=&%\n\t/:é😀-_.'\"<>{}[]$,;?!#@|\\^`".unicodeScalars)

    @Test func formBodiesMatchBotocoreByteForByte() throws {
        var rng = SystemRandomNumberGenerator()
        var cases: [[[String]]] = [[["Action", "CreateChangeSet"], ["Version", "2010-05-15"],
                                    ["TemplateBody", "{\"Resources\": {\"A\": {\"Type\": \"AWS::SNS::Topic\", \"Properties\": {\"DisplayName\": \"a b*~+=&\\né\"}}}}"]]]
        for _ in 0..<300 {
            var pairs = [["Action", "CreateChangeSet"], ["Version", "2010-05-15"]]
            for i in 0..<Int.random(in: 1...4, using: &rng) {
                var v = String.UnicodeScalarView()
                for _ in 0..<Int.random(in: 0...30, using: &rng) { v.append(Self.alphabet.randomElement(using: &rng)!) }
                pairs.append(["Parameters.member.\(i + 1).ParameterValue", String(v)])
            }
            cases.append(pairs)
        }
        let input = try JSONSerialization.data(withJSONObject: cases)
        let script = """
            import json, sys
            from botocore.awsrequest import AWSRequest
            for pairs in json.load(sys.stdin):
                body = AWSRequest(method="POST", url="https://cloudformation.us-west-2.amazonaws.com/", data=dict(pairs)).prepare().body
                print(json.dumps(body))
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script]
        let stdin = Pipe(), stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try process.run()
        stdin.fileHandleForWriting.write(input)
        try stdin.fileHandleForWriting.close()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "botocore is needed (bin/test installs it)")
        let expected = try String(decoding: output, as: UTF8.self).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8), options: .fragmentsAllowed) as? String
        }
        #expect(expected.count == cases.count)
        var differing = 0
        for (pairs, botocore) in zip(cases, expected) {
            let ours = URIEncoding.form(pairs.map { ($0[0], $0[1]) })
            if ours != botocore { differing += 1 }
            #expect(ours == botocore)
        }
        #expect(differing == 0)
    }
}
