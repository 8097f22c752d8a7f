import AWSSigner
import Foundation

/// What a command needs to talk to AWS: the profile, region, endpoints and credentials,
/// each resolved the way the AWS CLI does, plus the transport, retry policy and clock.
/// Creating one reads files but sends nothing; credentials load on first use.
public struct AWSSession: Sendable {
    public struct Options: Sendable {
        public var profile: String?
        public var region: String?
        public var endpointURL: String?
        public var environment: AWSEnvironment
        public var transport: any HTTPTransport
        public var mfaPrompt: MFAPrompt
        public var retry: RetryStrategy?

        public init(profile: String? = nil, region: String? = nil, endpointURL: String? = nil,
                    environment: AWSEnvironment = .process, transport: any HTTPTransport = NIOTransport.shared,
                    mfaPrompt: @escaping MFAPrompt = terminalMFAPrompt, retry: RetryStrategy? = nil) {
            self.profile = profile
            self.region = region
            self.endpointURL = endpointURL
            self.environment = environment
            self.transport = transport
            self.mfaPrompt = mfaPrompt
            self.retry = retry
        }
    }

    public let profile: Profile
    /// Where the profile name came from: `--profile`, `AWS_DEFAULT_PROFILE`, `AWS_PROFILE` or `default`.
    public let profileSource: String
    public let region: ResolvedRegion?
    public let endpoints: EndpointResolver
    public let credentials: CredentialResolver
    public let transport: any HTTPTransport
    public let retry: RetryStrategy
    public let clock: ClockSkew
    /// One adaptive send rate per service and region for every client of this session.
    public let limiters = RateLimiters()
    public let environment: AWSEnvironment

    public init(_ options: Options = Options()) throws {
        let environment = options.environment
        let config: SharedConfig
        do { config = try SharedConfig.load(environment) } catch let error as INIFile.ParseError {
            throw CredentialError("cannot read the AWS config: \(error)")
        }
        let (name, source): (String, String) =
            if let p = options.profile { (p, "--profile") }
            else if let p = environment["AWS_DEFAULT_PROFILE"] { (p, "AWS_DEFAULT_PROFILE") }
            else if let p = environment["AWS_PROFILE"] { (p, "AWS_PROFILE") }
            else { ("default", "default") }
        let profile = config.profile(name)
        if source != "default", !profile.exists {
            let known = config.profileNames
            throw CredentialError("the profile \(name) (from \(source)) is in neither \(config.configPath) nor \(config.credentialsPath)",
                                  hint: known.isEmpty ? "create it with `aws configure --profile \(name)`"
                                      : "known profiles: \(known.joined(separator: ", "))")
        }
        self.profile = profile
        self.profileSource = source
        self.environment = environment
        self.transport = options.transport
        self.retry = options.retry ?? .standard(environment: environment, profile: profile)
        self.clock = ClockSkew()
        let region = RegionResolver.resolve(flag: options.region, environment: environment, profile: profile)
        if let region { try RegionName.validate(region.name, source: region.source) }
        self.region = region
        self.endpoints = EndpointResolver(environment: environment, config: config, profile: profile,
                                          explicitURL: options.endpointURL)
        let chain = DefaultCredentialChain(environment: environment, config: config, transport: options.transport,
                                           endpoints: endpoints, region: region?.name, retry: retry, prompt: options.mfaPrompt)
        self.credentials = CredentialResolver(providers: try chain.providers(profileName: name, explicitProfile: options.profile != nil))
    }

    /// The region, or an error saying how to set one.
    public func requireRegion() throws -> String {
        guard let region else {
            throw CredentialError("no AWS region is set",
                                  hint: "pass --region, set AWS_REGION, or add `region = …` to profile \(profile.name)")
        }
        return region.name
    }

    public func client(_ service: AWSService, region: String? = nil) throws -> AWSClient {
        let name = try region ?? requireRegion()
        try RegionName.validate(name, source: "the stack's environment")
        let endpoint = endpoints.resolve(service, region: name)
        try EndpointURL.validate(endpoint)
        var client = AWSClient(service: service, region: name, endpoint: endpoint,
                               credentials: credentials, transport: transport, retry: retry, clock: clock)
        client.limiter = limiters.limiter(service: service.id, region: name)
        // How long one attempt may wait for an answer (the AWS CLI's --cli-read-timeout).
        if let seconds = environment["TSDEPLOY_HTTP_TIMEOUT"].flatMap(Double.init), seconds > 0 { client.timeout = seconds }
        return client
    }

    public func sts(region: String? = nil) throws -> STSClient { STSClient(try client(.sts, region: region)) }
    public func cloudFormation(region: String? = nil) throws -> CloudFormationClient { CloudFormationClient(try client(.cloudFormation, region: region)) }
    public func s3(region: String? = nil) throws -> S3Client { S3Client(try client(.s3, region: region)) }
    public func ssm(region: String? = nil) throws -> SSMClient { SSMClient(try client(.ssm, region: region)) }
    public func ecr(region: String? = nil) throws -> ECRClient { ECRClient(try client(.ecr, region: region)) }
    public func logs(region: String? = nil) throws -> LogsClient { LogsClient(try client(.logs, region: region)) }
    public func lambda(region: String? = nil) throws -> LambdaClient { LambdaClient(try client(.lambda, region: region)) }
    public func events(region: String? = nil) throws -> EventsClient { EventsClient(try client(.events, region: region)) }
}
