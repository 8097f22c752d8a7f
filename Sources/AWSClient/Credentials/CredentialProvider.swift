import AWSSigner
import Foundation

/// One place credentials can come from. `load` returns nil when the source is not
/// configured here (no variables, no such profile key, no metadata service) so the chain
/// moves on, and throws when it is configured but fails: a broken profile must not
/// silently fall through to other credentials (botocore does the same).
public protocol CredentialProvider: Sendable {
    /// Shown by `tsdeploy doctor` and in errors: "environment", "assume role (profile ci)"…
    var name: String { get }
    func load() async throws -> AWSCredentials?
}

public struct CredentialError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var hint: String?
    public init(_ message: String, hint: String? = nil) {
        self.message = message
        self.hint = hint
    }
    public var description: String { hint.map { "\(message)\nhint: \($0)" } ?? message }
}

/// The first source in `providers` that yields credentials is used from then on; its
/// credentials are cached and refreshed before they expire: from 15 minutes before
/// expiry (a failure then keeps the old ones) and mandatorily from 10 minutes before.
public actor CredentialResolver {
    public let providers: [any CredentialProvider]
    private var chosen: (any CredentialProvider)?
    private var cached: AWSCredentials?
    private let now: @Sendable () -> Date

    public init(providers: [any CredentialProvider], now: @escaping @Sendable () -> Date = { Date() }) {
        self.providers = providers
        self.now = now
    }

    public init(static credentials: AWSCredentials, name: String = "static") {
        self.init(providers: [StaticProvider(name: name, credentials: credentials)])
    }

    public func credentials() async throws -> AWSCredentials {
        if let cached {
            guard let expiration = cached.expiration else { return cached }
            let remaining = expiration.timeIntervalSince(now())
            if remaining > 15 * 60 { return cached }
            if let chosen, let fresh = try? await chosen.load() {
                self.cached = fresh
                return fresh
            }
            if remaining > 10 * 60 { return cached }
            throw CredentialError("the credentials from \(chosen?.name ?? "the chosen source") expire in under 10 minutes and could not be refreshed")
        }
        for provider in providers {
            if let credentials = try await provider.load() {
                chosen = provider
                cached = credentials
                return credentials
            }
        }
        throw CredentialError(
            "no AWS credentials found; tried, in order: " + providers.map(\.name).joined(separator: ", "),
            hint: "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, pass --profile, or run `aws configure` / `aws sso login` (see docs/credentials.md)")
    }

    /// The name of the source in use (loading credentials first when needed).
    public func sourceName() async throws -> String {
        _ = try await credentials()
        return chosen?.name ?? "unknown"
    }
}

/// Credentials given in code (tests, or a source resolved elsewhere).
public struct StaticProvider: CredentialProvider {
    public var name: String
    public var credentials: AWSCredentials
    public init(name: String, credentials: AWSCredentials) {
        self.name = name
        self.credentials = credentials
    }
    public func load() async throws -> AWSCredentials? { credentials }
}
