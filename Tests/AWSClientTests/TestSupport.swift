@testable import AWSClient
import AWSSigner
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A transport answering from a script, recording every request. Each answer is a
/// response or an error to throw, so tests can inject throttling, dropped connections and
/// HTML error pages.
final class ScriptedTransport: HTTPTransport, @unchecked Sendable {
    enum Answer { case response(HTTPResponse), failure(Error) }
    private let lock = NSLock()
    private var answers: [Answer]
    private var handler: ((HTTPRequest) -> HTTPResponse)?
    private(set) var requests: [HTTPRequest] = []

    init(_ answers: [Answer]) { self.answers = answers }
    init(handler: @escaping (HTTPRequest) -> HTTPResponse) {
        answers = []
        self.handler = handler
    }

    var count: Int { lock.withLock { requests.count } }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let answer: Answer = lock.withLock {
            requests.append(request)
            if let handler { return .response(handler(request)) }
            return answers.isEmpty ? .failure(TransportError(.connection, "script exhausted")) : answers.removeFirst()
        }
        switch answer {
        case .response(let r): return r
        case .failure(let e): throw e
        }
    }
}

func xml(_ status: Int, _ body: String, headers: [String: String] = [:]) -> ScriptedTransport.Answer {
    .response(HTTPResponse(status: status, headers: headers, body: Data(body.utf8)))
}

/// A tiny HTTP/1.1 server on 127.0.0.1 (one request per connection), for the sources that
/// must be exercised over real sockets: container credentials and EC2 instance metadata.
final class LoopbackServer: @unchecked Sendable {
    struct Request { var method: String, path: String, headers: [String: String], body: String }
    typealias Handler = @Sendable (Request) -> (status: Int, body: String)

    let port: Int
    private let fd: Int32
    private let handler: Handler
    private let lock = NSLock()
    private var received: [Request] = []
    var requests: [Request] { lock.withLock { received } }

    init(handler: @escaping Handler) throws {
        self.handler = handler
        let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(s, 16) == 0 else { throw TransportError(.connection, "cannot listen") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(s, $0, &length) }
        }
        fd = s
        port = Int(UInt16(bigEndian: address.sin_port))
        let thread = Thread { [self] in serve() }
        thread.start()
    }

    var url: String { "http://127.0.0.1:\(port)" }

    func stop() {
        shutdown(fd, Int32(SHUT_RDWR))
        close(fd)
    }

    private func serve() {
        while true {
            let client = accept(fd, nil, nil)
            if client < 0 { return }
            var data = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 4096)
            var request: Request?
            while request == nil {
                let n = read(client, &buffer, buffer.count)
                if n <= 0 { break }
                data += buffer[0..<n]
                request = Self.parse(data)
            }
            if let request {
                lock.withLock { received.append(request) }
                let (status, body) = handler(request)
                let response = "HTTP/1.1 \(status) X\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
                _ = response.withCString { write(client, $0, strlen($0)) }
            }
            close(client)
        }
    }

    private static func parse(_ data: [UInt8]) -> Request? {
        let text = String(decoding: data, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { return nil }
        let lines = text[..<end.lowerBound].components(separatedBy: "\r\n")
        let parts = lines[0].split(separator: " ")
        var headers: [String: String] = [:]
        for line in lines.dropFirst() {
            if let colon = line.firstIndex(of: ":") {
                headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        let body = String(text[end.upperBound...])
        if let length = headers["content-length"].flatMap(Int.init), body.utf8.count < length { return nil }
        return Request(method: String(parts[0]), path: String(parts.count > 1 ? parts[1] : "/"), headers: headers, body: body)
    }
}

/// A throwaway HOME with `.aws/config` and `.aws/credentials`.
struct FakeHome {
    let path: String
    init(config: String? = nil, credentials: String? = nil) throws {
        path = NSTemporaryDirectory() + "tsdeploy-home-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path + "/.aws", withIntermediateDirectories: true)
        if let config { try config.write(toFile: path + "/.aws/config", atomically: true, encoding: .utf8) }
        if let credentials { try credentials.write(toFile: path + "/.aws/credentials", atomically: true, encoding: .utf8) }
    }
    func environment(_ variables: [String: String] = [:]) -> AWSEnvironment {
        AWSEnvironment(variables: variables.merging(["AWS_EC2_METADATA_DISABLED": "true"]) { a, _ in a }, homeDirectory: path)
    }
    func write(_ relative: String, _ text: String) throws {
        let full = path + "/" + relative
        try FileManager.default.createDirectory(atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try text.write(toFile: full, atomically: true, encoding: .utf8)
    }
}

let noSleep = RetryStrategy(maxAttempts: 3, sleep: { _ in }, random: { 0.5 })

func stsResult(_ action: String, keyId: String, expiration: String = "2099-01-01T00:00:00Z") -> String {
    """
    <\(action)Response xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><\(action)Result><Credentials>\
    <AccessKeyId>\(keyId)</AccessKeyId><SecretAccessKey>SECRET-\(keyId)</SecretAccessKey>\
    <SessionToken>TOKEN-\(keyId)</SessionToken><Expiration>\(expiration)</Expiration></Credentials>\
    </\(action)Result><ResponseMetadata><RequestId>r-1</RequestId></ResponseMetadata></\(action)Response>
    """
}
