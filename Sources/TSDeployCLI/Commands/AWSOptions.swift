import AWSClient
import ArgumentParser

/// Where and as whom a command talks to AWS. Everything else (credential sources,
/// `AWS_ENDPOINT_URL…`, retries) comes from the environment and `~/.aws`, as for the AWS CLI.
public struct AWSOptions: ParsableArguments {
    @Option(help: "The AWS profile (default: AWS_PROFILE, else 'default'). Skips credentials from environment variables.")
    public var profile: String?

    @Option(help: "The AWS region for calls not tied to a stack (default: AWS_REGION, AWS_DEFAULT_REGION, the profile's).")
    public var region: String?

    @Option(name: .customLong("endpoint-url"), help: "Send every AWS call to this endpoint (e.g. a local emulator).")
    public var endpointURL: String?

    public init() {}

    public func session(transport: (any HTTPTransport)? = nil) throws -> AWSSession {
        var options = AWSSession.Options(profile: profile, region: region, endpointURL: endpointURL)
        if let transport { options.transport = transport }
        return try AWSSession(options)
    }
}
