@testable import AWSClient
import Foundation
import Testing

/// Region names, endpoint URLs and environment credentials are checked before anything is
/// signed or sent (issue 9, items 5 and 16).
@Suite struct InputValidationTests {
    @Test(arguments: ["us-west-2", "eu-central-1", "us-gov-west-1", "cn-north-1", "local", "a"])
    func regionNamesBotocoreAccepts(_ region: String) { #expect(RegionName.isValid(region)) }

    @Test(arguments: ["x@127.0.0.1:9/#", "us-west-2.evil.com", "-us", "us-", "", "us west", "us_west_2", String(repeating: "a", count: 64)])
    func regionNamesThatWouldChangeTheHost(_ region: String) { #expect(!RegionName.isValid(region)) }

    @Test func aHostileRegionNeverReachesAnEndpoint() throws {
        let environment = AWSEnvironment(variables: ["AWS_REGION": "x@127.0.0.1:9/#", "AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "s"],
                                         homeDirectory: "/nonexistent")
        #expect(throws: CredentialError.self) { try AWSSession(.init(environment: environment)) }
        let session = try AWSSession(.init(environment: AWSEnvironment(variables: [:], homeDirectory: "/nonexistent")))
        #expect(throws: CredentialError.self) { try session.client(.sts, region: "x@127.0.0.1:9/#") }
    }

    @Test(arguments: [("ftp://127.0.0.1:21", "only http and https"), ("http://127.0.0.1:99999", "port 99999"),
                      ("http://user:pw@127.0.0.1:9", "user name or password"), ("http://", "no host"), ("http://h:1/?a=b", "query")])
    func unusableEndpoints(_ url: String, _ reason: String) throws {
        #expect(EndpointURL.problem(url)?.contains(reason) == true, "\(url): \(EndpointURL.problem(url) ?? "accepted")")
        let session = try AWSSession(.init(endpointURL: url, environment: AWSEnvironment(variables: [:], homeDirectory: "/nonexistent")))
        let error = #expect(throws: CredentialError.self) { try session.client(.sts, region: "us-west-2") }
        #expect(error?.message.contains("pw") == false)
    }

    @Test func redactionHidesCredentialsOnly() {
        #expect(EndpointURL.redacted("http://user:hunter2@127.0.0.1:9/p") == "http://***@127.0.0.1:9/p")
        #expect(EndpointURL.redacted("http://127.0.0.1:5000") == "http://127.0.0.1:5000")
    }

    @Test func expiredEnvironmentCredentialsAreRefused() async throws {
        let expired = EnvironmentProvider(environment: AWSEnvironment(variables: ["AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "s",
                                                                       "AWS_CREDENTIAL_EXPIRATION": "2020-01-01T00:00:00Z"], homeDirectory: "/nonexistent"))
        let error = await #expect(throws: CredentialError.self) { _ = try await expired.load() }
        #expect(error?.message.contains("expired at 2020-01-01T00:00:00Z") == true)
        let fresh = EnvironmentProvider(environment: AWSEnvironment(variables: ["AWS_ACCESS_KEY_ID": "AK", "AWS_SECRET_ACCESS_KEY": "s",
                                                                     "AWS_CREDENTIAL_EXPIRATION": "2999-01-01T00:00:00Z"], homeDirectory: "/nonexistent"))
        #expect(try await fresh.load()?.expiration != nil)
    }
}
