import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// The production transport, on SwiftNIO (epoll: no CPU is spent while waiting) with
/// BoringSSL, so the binary needs neither libcurl nor the toolchain's FoundationNetworking
/// and links statically. One client per proxy route, each keeping keep-alive connections.
///
/// - TLS trusts the system's CA bundle, or `AWS_CA_BUNDLE` / `SSL_CERT_FILE` when set.
/// - `HTTPS_PROXY` / `HTTP_PROXY` (either case) and `NO_PROXY` choose a CONNECT proxy.
/// - Connect timeout `TSDEPLOY_CONNECT_TIMEOUT` (default 10 s); the read timeout is the
///   request's (the AWS client's, `TSDEPLOY_HTTP_TIMEOUT`, default 60 s).
/// - A connection the server closed while it sat in the pool fails the request before
///   anything was answered: that request is sent again at once on a fresh connection.
public final class NIOTransport: HTTPTransport, @unchecked Sendable {
    public struct Settings: Sendable {
        public var caBundle: String?
        public var httpsProxy: String?
        public var httpProxy: String?
        public var noProxy: [String] = []
        public var connectTimeout: Double = 10
        public var maxBodyBytes = 256 << 20

        public init() {}

        public init(environment: AWSEnvironment) {
            func value(_ names: String...) -> String? {
                for name in names { if let v = environment[name], !v.isEmpty { return v } }
                return nil
            }
            caBundle = value("AWS_CA_BUNDLE", "SSL_CERT_FILE")
            httpsProxy = value("HTTPS_PROXY", "https_proxy")
            httpProxy = value("HTTP_PROXY", "http_proxy")
            noProxy = (value("NO_PROXY", "no_proxy") ?? "").split(separator: ",")
                .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
            if let seconds = value("TSDEPLOY_CONNECT_TIMEOUT").flatMap(Double.init), seconds > 0 { connectTimeout = seconds }
        }
    }

    public let settings: Settings
    private let lock = NSLock()
    private var clients: [String: HTTPClient] = [:]

    public init(settings: Settings) { self.settings = settings }

    public static let shared = NIOTransport(settings: Settings(environment: .process))

    deinit {
        for client in clients.values { try? client.syncShutdown() }
    }

    /// The proxy for `host` under `scheme`, honouring NO_PROXY (`*`, exact hosts, domain suffixes).
    func proxy(scheme: String, host: String) -> (host: String, port: Int)? {
        let lowered = host.lowercased()
        for entry in settings.noProxy {
            if entry == "*" { return nil }
            let domain = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            if lowered == domain || lowered.hasSuffix("." + domain) { return nil }
        }
        guard let raw = scheme == "https" ? (settings.httpsProxy ?? settings.httpProxy) : settings.httpProxy,
              let url = URLComponents(string: raw.contains("://") ? raw : "http://" + raw), let proxyHost = url.host else { return nil }
        return (proxyHost, url.port ?? 80)
    }

    func client(for proxy: (host: String, port: Int)?) throws -> HTTPClient {
        let key = proxy.map { "\($0.host):\($0.port)" } ?? ""
        return try lock.withLock {
            if let existing = clients[key] { return existing }
            var tls = TLSConfiguration.makeClientConfiguration()
            if let bundle = settings.caBundle {
                guard FileManager.default.isReadableFile(atPath: bundle) else {
                    throw TransportError(.connection, "the CA bundle \(bundle) (AWS_CA_BUNDLE / SSL_CERT_FILE) cannot be read")
                }
                tls.trustRoots = .file(bundle)
            }
            var configuration = HTTPClient.Configuration(
                tlsConfiguration: tls,
                redirectConfiguration: .disallow,
                timeout: .init(connect: .milliseconds(Int64(settings.connectTimeout * 1000))),
                proxy: proxy.map { .server(host: $0.host, port: $0.port) },
                decompression: .disabled)
            configuration.httpVersion = .http1Only
            let created = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
            clients[key] = created
            return created
        }
    }

    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        guard let components = URLComponents(string: request.url), let scheme = components.scheme?.lowercased(),
              scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            throw TransportError(.invalidURL, request.url)
        }
        let target = host + (components.port.map { ":\($0)" } ?? "")
        let client = try client(for: proxy(scheme: scheme, host: host))
        var outgoing = HTTPClientRequest(url: request.url)
        outgoing.method = HTTPMethod(rawValue: request.method)
        for header in request.headers { outgoing.headers.add(name: header.name, value: header.value) }
        if let file = request.bodyFile {
            outgoing.body = try Self.stream(file)
        } else if !request.body.isEmpty || ["POST", "PUT"].contains(request.method) {
            outgoing.body = .bytes(ByteBuffer(bytes: request.body))
        }
        var attempt = 0
        while true {
            attempt += 1
            do {
                let response = try await client.execute(outgoing, deadline: .now() + .milliseconds(Int64(request.timeout * 1000)))
                var body = try await response.body.collect(upTo: settings.maxBodyBytes)
                var headers: [String: String] = [:]
                for (name, value) in response.headers { headers[name.lowercased()] = value }
                return HTTPResponse(status: Int(response.status.code), headers: headers,
                                    body: Data(body.readBytes(length: body.readableBytes) ?? []))
            } catch let error as HTTPClientError where error == .deadlineExceeded || error == .readTimeout {
                throw TransportError(.timeout, "\(target) did not answer within \(Self.seconds(request.timeout))")
            } catch let error as HTTPClientError where error == .connectTimeout {
                throw TransportError(.timeout, "could not connect to \(target) within \(Self.seconds(settings.connectTimeout))")
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as HTTPClientError where error == .remoteConnectionClosed && attempt == 1 {
                continue  // a pooled connection the server had closed: once more, on a fresh one
            } catch let error as NIOSSLError {
                throw TransportError(.connection, "\(target): TLS failed (\(error)); check AWS_CA_BUNDLE if a proxy or emulator uses its own CA")
            } catch let error as NIOSSLExtraError {
                throw TransportError(.connection, "\(target): TLS failed (\(error)); check AWS_CA_BUNDLE if a proxy or emulator uses its own CA")
            } catch let error as TransportError {
                throw error
            } catch {
                if attempt == 1, Self.isResetOfReusedConnection(error) { continue }
                throw TransportError(.connection, "\(target): \(Self.describe(error))")
            }
        }
    }

    /// A file's bytes, read 256 KiB at a time when the connection asks for more: memory
    /// stays flat whatever the file's size, and a retry reads the file again.
    static func stream(_ path: String) throws -> HTTPClientRequest.Body {
        let size = (try FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value ?? 0
        return .stream(FileChunks(path: path), length: .known(size))
    }

    struct FileChunks: AsyncSequence, Sendable {
        typealias Element = ByteBuffer
        let path: String

        final class AsyncIterator: AsyncIteratorProtocol {
            let handle: FileHandle?
            let path: String
            init(path: String) {
                self.path = path
                handle = FileHandle(forReadingAtPath: path)
            }
            deinit { try? handle?.close() }

            func next() async throws -> ByteBuffer? {
                guard let handle else { throw TransportError(.connection, "cannot read \(path)") }
                guard let data = try handle.read(upToCount: 256 << 10), !data.isEmpty else { return nil }
                return ByteBuffer(bytes: data)
            }
        }

        func makeAsyncIterator() -> AsyncIterator { AsyncIterator(path: path) }
    }

    static func isResetOfReusedConnection(_ error: Error) -> Bool {
        if let io = error as? IOError { return io.errnoCode == ECONNRESET || io.errnoCode == EPIPE }
        return error is ChannelError && (error as? ChannelError) == .ioOnClosedChannel
    }

    static func describe(_ error: Error) -> String {
        if let io = error as? IOError { return String(cString: strerror(io.errnoCode)).lowercased() }
        if let connect = error as? NIOConnectionError, let first = connect.connectionErrors.first {
            return "\(describe(first.error))"
        }
        if let http = error as? HTTPClientError { return "\(http)" }
        return "\(error)"
    }

    static func seconds(_ s: Double) -> String { s == s.rounded() ? "\(Int(s)) s" : String(format: "%.1f s", s) }
}
