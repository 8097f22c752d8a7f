/// The region and where it came from. Order: the flag, `AWS_REGION` (what the other SDKs
/// and CodeBuild set), `AWS_DEFAULT_REGION` (what the AWS CLI reads), the profile's
/// `region`. No guessing: a command that needs a region and has none says how to set one.
public struct ResolvedRegion: Sendable, Equatable {
    public var name: String
    public var source: String
}

public enum RegionResolver {
    public static func resolve(flag: String?, environment: AWSEnvironment, profile: Profile) -> ResolvedRegion? {
        if let flag, !flag.isEmpty { return ResolvedRegion(name: flag, source: "--region") }
        if let region = environment["AWS_REGION"] { return ResolvedRegion(name: region, source: "AWS_REGION") }
        if let region = environment["AWS_DEFAULT_REGION"] { return ResolvedRegion(name: region, source: "AWS_DEFAULT_REGION") }
        if let region = profile["region"] { return ResolvedRegion(name: region, source: "profile \(profile.name)") }
        return nil
    }
}
