import AWSSigner
import Foundation
import SeededRandom
import Testing

/// Signs generated requests with our signer and with botocore (python3, run by the test
/// command) and requires identical signatures. The generator aims at the hard parts:
/// unicode and reserved characters in paths, dot and empty segments, repeated and empty
/// query keys, keys without '=', odd header spacing, repeated headers, excluded headers,
/// non-default ports, session tokens, unsigned S3 payloads, presigned URLs.
@Suite struct DifferentialTests {
    struct Case: Encodable {
        var method: String
        var url: String
        var headers: [[String]]
        var body: String
        var service: String
        var region: String
        var key: String
        var secret: String
        var token: String?
        var timestamp: String
        var unsigned: Bool
        var presign: Int?
    }

    /// SplitMix64 with the helpers the request generator uses, so failures reproduce.
    struct Generator {
        var rng: SplitMix64
        init(state: UInt64) { rng = SplitMix64(state: state) }
        mutating func next() -> UInt64 { rng.next() }
        mutating func int(_ n: Int) -> Int { Int(next() % UInt64(n)) }
        mutating func pick<T>(_ items: [T]) -> T { items[int(items.count)] }
        mutating func bool() -> Bool { int(2) == 0 }
        mutating func text(_ alphabet: [String], max: Int) -> String {
            (0..<int(max + 1)).map { _ in pick(alphabet) }.joined()
        }
    }

    static let pathAlphabet = ["a", "b", "Z", "0", "-", "_", ".", "~", " ", "+", "%", ":", "@", "!", "$", "&", "'", "(", ")",
                               "*", ",", ";", "=", "é", "日本", "€", "😀"]
    static let queryAlphabet = pathAlphabet + ["/", "?", "#", "[", "]"]

    static func generate(_ count: Int, seed: UInt64, presign: Bool) -> [Case] {
        var g = Generator(state: seed)
        return (0..<count).map { _ in
            let service = g.pick(["s3", "s3", "cloudformation", "sts", "ecr", "lambda", "ssm"])
            let scheme = g.pick(["https", "http"])
            let host = g.pick(["s3.us-west-2.amazonaws.com", "localhost:4566", "127.0.0.1:5000", "Bucket.S3.amazonaws.com:443",
                               "cloudformation.eu-central-1.amazonaws.com", "api.ecr.us-east-1.amazonaws.com:80"])
            var segments: [String] = []
            for _ in 0..<g.int(5) {
                switch g.int(8) {
                case 0: segments.append(".")
                case 1: segments.append("..")
                case 2: segments.append("")
                default: segments.append(URIEncoding.encode(g.text(pathAlphabet, max: 6)))
                }
            }
            var path = "/" + segments.joined(separator: "/")
            if g.int(4) == 0 { path += "/" }
            if service != "s3", g.int(5) == 0 { path = "/2015-03-31/functions/arn%3Aaws%3Alambda/invocations" }
            var query: [String] = []
            let keys = ["list-type", "prefix", "a", "A", "b", "x-id", "notification", "delimiter", "ké y", "empty"]
            for _ in 0..<g.int(presign ? 3 : 5) {
                let key = URIEncoding.encode(g.pick(keys))
                if presign, query.contains(where: { $0.hasPrefix(key + "=") }) { continue }
                switch g.int(5) {
                case 0 where !presign: query.append(key)
                case 1: query.append("\(key)=")
                default: query.append("\(key)=\(URIEncoding.encode(g.text(queryAlphabet, max: 6)))")
                }
            }
            var headers: [[String]] = []
            if !presign {
                for _ in 0..<g.int(6) {
                    let name = g.pick(["Content-Type", "X-Amz-Meta-Foo", "x-custom", "User-Agent", "Content-MD5",
                                       "X-Amz-Target", "Expect", "Accept", "X-Amz-Meta-Foo", "x-amzn-trace-id"])
                    let value = g.pick(["a", "  a   b  ", "\tx\t y ", "application/x-amz-json-1.1", "1 2  3", "", "v,w"])
                    headers.append([name, value])
                }
            }
            let https = scheme == "https"
            let unsigned = !presign && service == "s3" && https && g.bool()
            if unsigned, !headers.contains(where: { $0[0] == "Content-MD5" }) { headers.append(["Content-MD5", "bWQ1"]) }
            return Case(
                method: g.pick(["GET", "PUT", "POST", "DELETE", "HEAD", "get"]),
                url: "\(scheme)://\(host)\(path)\(query.isEmpty ? "" : "?" + query.joined(separator: "&"))",
                headers: headers,
                body: presign ? "" : g.text(["x", "{", "}", "\"", "é", " ", "\n"], max: 20),
                service: service,
                region: g.pick(["us-east-1", "us-west-2", "eu-central-1"]),
                key: "AKIDEXAMPLE\(g.int(100))",
                secret: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY\(g.int(10))",
                token: g.bool() ? "FQoGZXIvYXdzE//token+with/slashes=\(g.int(1000))" : nil,
                timestamp: String(format: "2026%02d%02dT%02d%02d%02dZ", 1 + g.int(12), 1 + g.int(28), g.int(24), g.int(60), g.int(60)),
                unsigned: unsigned,
                presign: presign ? 1 + g.int(604_800) : nil)
        }
    }

    static func date(_ stamp: String) -> Date {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.date(from: stamp)!
    }

    static func ours(_ c: Case) throws -> String {
        let signer = SigV4Signer(
            credentials: AWSCredentials(accessKeyId: c.key, secretAccessKey: c.secret, sessionToken: c.token),
            service: c.service, region: c.region)
        var request = try SignableRequest(method: c.method, url: c.url, headers: c.headers.map { ($0[0], $0[1]) },
                                          body: Data(c.body.utf8))
        if let expires = c.presign { return try signer.presign(request, expires: expires, date: date(c.timestamp)) }
        signer.sign(&request, date: date(c.timestamp), payload: c.unsigned ? .unsigned : .hashed)
        return request.header("Authorization") ?? ""
    }

    static func botocore(_ cases: [Case]) throws -> [String] {
        let script = try #require(Bundle.module.url(forResource: "botocore_sign", withExtension: "py"))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path]
        let input = Pipe(), output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        input.fileHandleForWriting.write(try JSONEncoder().encode(cases))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "botocore helper failed")
        return try JSONDecoder().decode([String].self, from: data)
    }

    static func signatureOf(_ s: String) -> String {
        s.components(separatedBy: "Signature=").last ?? s
    }

    @Test func headerSignaturesMatchBotocore() throws {
        let cases = Self.generate(1200, seed: 0x5EED, presign: false)
        let theirs = try Self.botocore(cases)
        #expect(theirs.count == cases.count)
        var mismatches = 0
        for (c, expected) in zip(cases, theirs) {
            let got = try Self.ours(c)
            if got != expected {
                mismatches += 1
                if mismatches <= 3 { Issue.record("\(c.method) \(c.url) \(c.headers)\n ours:     \(got)\n botocore: \(expected)") }
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(cases.count) signatures differ")
    }

    @Test func presignedURLSignaturesMatchBotocore() throws {
        let cases = Self.generate(300, seed: 0xBEEF, presign: true)
        let theirs = try Self.botocore(cases)
        var mismatches = 0
        for (c, expected) in zip(cases, theirs) {
            let got = try Self.ours(c)
            if Self.signatureOf(got) != Self.signatureOf(expected) {
                mismatches += 1
                if mismatches <= 3 { Issue.record("\(c.url)\n ours:     \(got)\n botocore: \(expected)") }
            }
        }
        #expect(mismatches == 0, "\(mismatches) of \(cases.count) presigned signatures differ")
    }
}
