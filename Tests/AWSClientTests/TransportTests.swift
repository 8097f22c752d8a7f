@testable import AWSClient
import Crypto
import Foundation
import Testing

/// The NIO transport against loopback servers (transport_servers.py): timeouts, a reset
/// keep-alive connection, a slow body, a private CA through AWS_CA_BUNDLE, a CONNECT proxy.
@Suite(.serialized) struct TransportTests {
    final class Server {
        let process = Process()
        let port: Int
        let extra: String?

        init(_ arguments: [String]) throws {
            let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("transport_servers.py")
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", script.path] + arguments
            let stdout = Pipe()
            process.standardOutput = stdout
            process.standardError = FileHandle.nullDevice
            try process.run()
            // Our copies of the write ends, or reading to the end never ends.
            try? stdout.fileHandleForWriting.close()
            var line = Data()
            while true {
                let byte = stdout.fileHandleForReading.readData(ofLength: 1)
                if byte.isEmpty || byte == Data("\n".utf8) { break }
                line += byte
            }
            let parts = String(decoding: line, as: UTF8.self).split(separator: " ")
            guard let first = parts.first, let port = Int(first) else { throw TransportError(.connection, "server did not start") }
            self.port = port
            extra = parts.count > 1 ? String(parts[1]) : nil
        }

        deinit {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    func get(_ transport: NIOTransport, _ url: String, timeout: Double = 5) async throws -> HTTPResponse {
        try await transport.send(HTTPRequest(method: "GET", url: url, timeout: timeout))
    }

    @Test func aSilentServerTimesOutAtTheConfiguredTime() async throws {
        let server = try Server(["silent"])
        defer { withExtendedLifetime(server) {} }
        let transport = NIOTransport(settings: .init())
        let started = Date()
        let error = await #expect(throws: TransportError.self) { _ = try await get(transport, "http://127.0.0.1:\(server.port)/", timeout: 1.5) }
        let waited = Date().timeIntervalSince(started)
        #expect(error?.kind == .timeout)
        // Below the helper's default of 5 s, so the configured 1.5 s is what ended it; the
        // margin is for a loaded two-core machine running the other suites alongside.
        #expect(waited >= 1.4 && waited < 4.5, "waited \(waited) s")
    }

    @Test func aResetOfAReusedConnectionIsRetriedAtOnce() async throws {
        let server = try Server(["reset"])
        let transport = NIOTransport(settings: .init())
        #expect(try await get(transport, "http://127.0.0.1:\(server.port)/a").status == 200)
        let started = Date()
        // Sent on the pooled connection, which the server resets: answered from a fresh one.
        #expect(try await get(transport, "http://127.0.0.1:\(server.port)/b").status == 200)
        #expect(Date().timeIntervalSince(started) < 1)
    }

    @Test func aSlowBodyIsReadWhileItKeepsComing() async throws {
        let server = try Server(["slow"])
        let response = try await get(NIOTransport(settings: .init()), "http://127.0.0.1:\(server.port)/", timeout: 10)
        #expect(response.body.count == 40)
    }

    @Test func aFileBodyIsStreamed() async throws {
        let server = try Server(["sink"])
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tsdeploy-stream-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        var bytes = [UInt8](repeating: 0, count: 48 << 20)
        for i in stride(from: 0, to: bytes.count, by: 4096) { bytes[i] = UInt8(truncatingIfNeeded: i / 4096) }
        try Data(bytes).write(to: file)
        var request = HTTPRequest(method: "PUT", url: "http://127.0.0.1:\(server.port)/upload", timeout: 30)
        request.bodyFile = file.path
        let response = try await NIOTransport(settings: .init()).send(request)
        let expected = SHA256Hex.of(Data(bytes))
        #expect(response.bodyText == "\(bytes.count) \(expected)")
    }

    @Test func aPrivateCAIsTrustedThroughAWSCABundleAndOnlyThen() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tsdeploy-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let server = try Server(["tls", directory.path])
        let ca = try #require(server.extra)
        let trusting = NIOTransport(settings: .init(environment: AWSEnvironment(variables: ["AWS_CA_BUNDLE": ca], homeDirectory: "/nonexistent")))
        #expect(try await get(trusting, "https://localhost:\(server.port)/").bodyText == "ok")
        let error = await #expect(throws: TransportError.self) { _ = try await get(NIOTransport(settings: .init()), "https://localhost:\(server.port)/") }
        #expect(error?.message.contains("TLS") == true)
    }

    @Test func httpsGoesThroughTheConnectProxyUnlessNoProxySaysOtherwise() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tsdeploy-proxy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let tls = try Server(["tls", directory.path])
        let proxyLog = directory.appendingPathComponent("proxy.log")
        let proxy = try Server(["proxy", proxyLog.path])
        let ca = try #require(tls.extra)
        let proxied = NIOTransport(settings: .init(environment: AWSEnvironment(
            variables: ["AWS_CA_BUNDLE": ca, "HTTPS_PROXY": "http://127.0.0.1:\(proxy.port)"], homeDirectory: "/nonexistent")))
        #expect(try await get(proxied, "https://localhost:\(tls.port)/").bodyText == "ok")
        let bypass = NIOTransport(settings: .init(environment: AWSEnvironment(
            variables: ["AWS_CA_BUNDLE": ca, "HTTPS_PROXY": "http://127.0.0.1:\(proxy.port)", "NO_PROXY": "example.com,localhost"],
            homeDirectory: "/nonexistent")))
        #expect(try await get(bypass, "https://localhost:\(tls.port)/").bodyText == "ok")
        let log = (try? String(contentsOf: proxyLog, encoding: .utf8)) ?? ""
        #expect(log.components(separatedBy: "CONNECT localhost:\(tls.port)").count - 1 == 1, "proxy saw: \(log)")
    }
}

enum SHA256Hex {
    static func of(_ data: Data) -> String { SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined() }
}
