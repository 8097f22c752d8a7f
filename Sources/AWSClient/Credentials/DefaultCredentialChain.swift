import AWSSigner
import Foundation

/// The standard chain in botocore's order: environment (skipped when `--profile` names a
/// profile), assume role, web identity, IAM Identity Center, shared credentials file,
/// credential_process, config file keys, container, EC2 instance metadata.
public struct DefaultCredentialChain: Sendable {
    public var environment: AWSEnvironment
    public var config: SharedConfig
    public var transport: any HTTPTransport
    public var endpoints: EndpointResolver
    public var region: String?
    public var retry: RetryStrategy
    public var prompt: MFAPrompt

    public func providers(profileName: String, explicitProfile: Bool) throws -> [any CredentialProvider] {
        let profile = config.profile(profileName)
        var providers: [any CredentialProvider] = []
        if !explicitProfile { providers.append(EnvironmentProvider(environment: environment)) }
        if profile["role_arn"] != nil, profile["source_profile"] != nil || profile["credential_source"] != nil {
            providers.append(try assumeRole(profile, visited: []))
        }
        providers.append(WebIdentityProvider(environment: environment, profile: profile, sts: sts(nil, profile: profile)))
        providers.append(SSOProvider(profile: profile, config: config, environment: environment, transport: transport))
        providers.append(ProfileKeysProvider(profile: profile, file: .credentials, path: config.credentialsPath))
        providers.append(ProcessProvider(profile: profile))
        providers.append(ProfileKeysProvider(profile: profile, file: .config, path: config.configPath))
        providers.append(ContainerProvider(environment: environment, transport: transport))
        providers.append(IMDSProvider(environment: environment, transport: transport))
        return providers
    }

    func sts(_ credentials: CredentialResolver?, profile: Profile) -> STSClient {
        let stsRegion = profile["region"] ?? region ?? "us-east-1"
        return STSClient(AWSClient(service: .sts, region: stsRegion, endpoint: endpoints.resolve(.sts, region: stsRegion),
                                   credentials: credentials, transport: transport, retry: retry))
    }

    /// `source_profile` may itself assume a role (role chaining); a cycle is an error.
    func assumeRole(_ profile: Profile, visited: Set<String>) throws -> AssumeRoleProvider {
        guard !visited.contains(profile.name) else {
            throw CredentialError("profiles form a source_profile cycle: \((visited + [profile.name]).sorted().joined(separator: " → "))")
        }
        let source: any CredentialProvider
        if let sourceName = profile["source_profile"] {
            if profile["credential_source"] != nil {
                throw CredentialError("profile \(profile.name) sets both source_profile and credential_source; keep one")
            }
            let sourceProfile = config.profile(sourceName)
            guard sourceProfile.exists else {
                throw CredentialError("profile \(profile.name) has source_profile \(sourceName), which is in neither \(config.configPath) nor \(config.credentialsPath)")
            }
            source = try sourceProvider(sourceProfile, visited: visited.union([profile.name]))
        } else {
            switch profile["credential_source"] ?? "" {
            case "Environment": source = EnvironmentProvider(environment: environment)
            case "Ec2InstanceMetadata": source = IMDSProvider(environment: environment, transport: transport)
            case "EcsContainer": source = ContainerProvider(environment: environment, transport: transport)
            case let other:
                throw CredentialError("profile \(profile.name) has credential_source \(other); expected Environment, Ec2InstanceMetadata or EcsContainer")
            }
        }
        let resolver = CredentialResolver(providers: [source])
        let chain = self
        return AssumeRoleProvider(profile: profile, source: resolver, sourceName: source.name,
                                  sts: { chain.sts($0, profile: profile) }, prompt: prompt,
                                  cacheDirectory: environment.assumeRoleCacheDirectory)
    }

    func sourceProvider(_ profile: Profile, visited: Set<String>) throws -> any CredentialProvider {
        if profile["role_arn"] != nil, !visited.contains(profile.name),
           profile["source_profile"] != nil || profile["credential_source"] != nil {
            return try assumeRole(profile, visited: visited)
        }
        if profile["aws_access_key_id"] == nil {
            if profile["sso_account_id"] != nil || profile["sso_session"] != nil {
                return SSOProvider(profile: profile, config: config, environment: environment, transport: transport)
            }
            if profile["credential_process"] != nil { return ProcessProvider(profile: profile) }
            if profile["web_identity_token_file"] != nil {
                return WebIdentityProvider(environment: environment, profile: profile, sts: sts(nil, profile: profile))
            }
            throw CredentialError("source profile \(profile.name) has no credentials (no keys, SSO, credential_process or role)")
        }
        return SourceKeysProvider(profile: profile)
    }
}

/// A source profile's static keys, from whichever file has them.
struct SourceKeysProvider: CredentialProvider {
    var profile: Profile
    var name: String { "profile \(profile.name) keys" }
    func load() async throws -> AWSCredentials? {
        guard let keyId = profile["aws_access_key_id"], let secret = profile["aws_secret_access_key"] else {
            throw CredentialError("profile \(profile.name) has aws_access_key_id but no aws_secret_access_key")
        }
        return AWSCredentials(accessKeyId: keyId, secretAccessKey: secret, sessionToken: profile["aws_session_token"])
    }
}
