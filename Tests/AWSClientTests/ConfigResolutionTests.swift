@testable import AWSClient
import Foundation
import Testing

@Suite struct ConfigResolutionTests {
    let configText = """
        # comment
        [default]
        region = eu-west-1

        [profile dev]
        region = us-west-2
        services = local
        s3 =
          addressing_style = path

        [profile onlyurl]
        endpoint_url = http://localhost:4566/

        [dev]
        region = not-a-profile-in-config

        [services local]
        cloudformation =
          endpoint_url = http://localhost:5000
        ecr =
          endpoint_url = http://localhost:5001
        """

    @Test func iniSectionsNestedBlocksAndComments() throws {
        let ini = try INIFile(parsing: configText, path: "config")
        #expect(ini.section("profile dev")?["region"] == .string("us-west-2"))
        #expect(ini.section("profile dev")?["s3"] == .nested(["addressing_style": "path"]))
        #expect(ini.section("services local")?["ecr"] == .nested(["endpoint_url": "http://localhost:5001"]))
    }

    @Test func iniErrorsNameFileAndLine() {
        #expect(throws: INIFile.ParseError.self) { try INIFile(parsing: "key = before section\n", path: "c") }
        do { _ = try INIFile(parsing: "[a]\nx = 1\n[broken\n", path: "/home/u/.aws/config") } catch {
            #expect("\(error)" == "/home/u/.aws/config:3: section header is missing its closing ]")
        }
    }

    @Test func profilesReadBothFilesAndCredentialsWin() throws {
        let home = try FakeHome(config: configText, credentials: "[dev]\nregion = from-credentials\naws_access_key_id = AK\n")
        let config = try SharedConfig.load(home.environment())
        let dev = config.profile("dev")
        #expect(dev["region"] == "from-credentials")
        #expect(dev["aws_access_key_id"] == "AK")
        // A bare [dev] in the config file is not a profile there.
        #expect(config.profile("onlyurl")["region"] == nil)
        #expect(config.profileNames == ["default", "dev", "onlyurl"])
    }

    @Test(arguments: [
        ([String: String](), nil as String?, "eu-west-1", "profile default"),
        (["AWS_DEFAULT_REGION": "ap-south-1"], nil, "ap-south-1", "AWS_DEFAULT_REGION"),
        (["AWS_DEFAULT_REGION": "ap-south-1", "AWS_REGION": "us-east-2"], nil, "us-east-2", "AWS_REGION"),
        (["AWS_REGION": "us-east-2"], "ca-central-1", "ca-central-1", "--region"),
    ])
    func regionOrder(variables: [String: String], flag: String?, region: String, source: String) throws {
        let home = try FakeHome(config: configText)
        let config = try SharedConfig.load(home.environment())
        let resolved = RegionResolver.resolve(flag: flag, environment: home.environment(variables), profile: config.profile("default"))
        #expect(resolved == ResolvedRegion(name: region, source: source))
    }

    func endpoint(_ service: AWSService, profile: String, _ variables: [String: String] = [:], explicit: String? = nil) throws -> ResolvedEndpoint {
        let home = try FakeHome(config: configText)
        let environment = home.environment(variables)
        let config = try SharedConfig.load(environment)
        return EndpointResolver(environment: environment, config: config, profile: config.profile(profile), explicitURL: explicit)
            .resolve(service, region: "us-west-2")
    }

    @Test func endpointPrecedence() throws {
        #expect(try endpoint(.ecr, profile: "default").url == "https://api.ecr.us-west-2.amazonaws.com")
        #expect(try endpoint(.s3, profile: "default").url == "https://s3.us-west-2.amazonaws.com")
        #expect(try endpoint(.cloudFormation, profile: "dev").url == "http://localhost:5000")
        #expect(try endpoint(.sts, profile: "dev").isCustom == false)
        #expect(try endpoint(.sts, profile: "onlyurl") == ResolvedEndpoint(url: "http://localhost:4566", source: "profile onlyurl endpoint_url", isCustom: true))
        #expect(try endpoint(.cloudFormation, profile: "dev", ["AWS_ENDPOINT_URL": "http://env:1"]).url == "http://env:1")
        #expect(try endpoint(.cloudFormation, profile: "dev", ["AWS_ENDPOINT_URL": "http://env:1", "AWS_ENDPOINT_URL_CLOUDFORMATION": "http://cfn:2"]).url == "http://cfn:2")
        #expect(try endpoint(.cloudFormation, profile: "dev", ["AWS_ENDPOINT_URL": "http://env:1"], explicit: "http://flag:3").source == "--endpoint-url")
        #expect(try endpoint(.cloudFormation, profile: "dev", ["AWS_ENDPOINT_URL": "http://env:1", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "true"]).url
            == "https://cloudformation.us-west-2.amazonaws.com")
    }

    @Test func serviceKeys() {
        #expect(AWSService.ssoOIDC.environmentKey == "AWS_ENDPOINT_URL_SSO_OIDC")
        #expect(AWSService.cloudFormation.configKey == "cloudformation")
        #expect(EndpointResolver.awsHost(.s3, region: "us-east-1") == "s3.amazonaws.com")
        #expect(EndpointResolver.awsHost(.sts, region: "cn-north-1") == "sts.cn-north-1.amazonaws.com.cn")
    }

    @Test func unknownProfileNamesTheKnownOnes() throws {
        let home = try FakeHome(config: configText)
        do {
            _ = try AWSSession(.init(profile: "prod", environment: home.environment()))
            Issue.record("expected an error")
        } catch let error as CredentialError {
            #expect(error.message.contains("the profile prod (from --profile) is in neither"))
            #expect(error.hint == "known profiles: default, dev, onlyurl")
        }
    }
}
