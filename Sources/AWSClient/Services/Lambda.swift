import AWSSigner
import Foundation

/// Lambda (REST-JSON under `/2015-03-31/`; host `lambda.<region>`, signing name `lambda`).
/// Only what taking over functions made outside any template needs.
public struct LambdaClient: Sendable {
    public let client: AWSClient
    public init(_ client: AWSClient) { self.client = client }

    public struct Function: Sendable, Equatable, Decodable {
        public var FunctionName: String
        public var FunctionArn: String?
        public var PackageType: String?
    }
    struct GetFunctionOutput: Decodable { var Configuration: Function? }
    struct ListOutput: Decodable { var Functions: [Function]?; var NextMarker: String? }

    static func path(_ name: String) -> String { "/2015-03-31/functions/" + URIEncoding.encode(name) }

    /// nil when there is no such function.
    public func getFunction(_ name: String) async throws -> Function? {
        do {
            let response = try await client.send(operation: "GetFunction", method: "GET", path: Self.path(name))
            return try JSONDecoder().decode(GetFunctionOutput.self, from: response.body).Configuration
        } catch let error as AWSError where error.code == "ResourceNotFoundException" {
            return nil
        }
    }

    public func listFunctions() async throws -> [Function] {
        var all: [Function] = []
        var marker: String?
        repeat {
            let query = "MaxItems=50" + (marker.map { "&Marker=" + URIEncoding.encode($0) } ?? "")
            let response = try await client.send(operation: "ListFunctions", method: "GET", path: "/2015-03-31/functions/", query: query)
            let page = try JSONDecoder().decode(ListOutput.self, from: response.body)
            all += page.Functions ?? []
            marker = page.NextMarker
        } while marker != nil
        return all
    }

    /// Deleting a function that is gone is not an error.
    public func deleteFunction(_ name: String) async throws {
        do {
            _ = try await client.send(operation: "DeleteFunction", method: "DELETE", path: Self.path(name))
        } catch let error as AWSError where error.code == "ResourceNotFoundException" {}
    }
}

/// EventBridge (JSON 1.1; host `events.<region>`, signing name `events`).
public struct EventsClient: Sendable {
    public let client: AWSClient
    static let prefix = "AWSEvents."
    public init(_ client: AWSClient) { self.client = client }

    struct Name: Encodable { var Name: String }
    struct Rule: Encodable { var Rule: String }
    struct Remove: Encodable { var Rule: String; var Ids: [String] }
    struct Targets: Decodable { var Targets: [Target]? }
    struct Target: Decodable { var Id: String; var Arn: String? }
    struct Described: Decodable { var Name: String?; var Arn: String?; var State: String? }
    struct Empty: Decodable {}

    /// nil when there is no such rule.
    public func describeRule(_ name: String) async throws -> (arn: String?, state: String?)? {
        do {
            let r = try await client.json(Self.prefix + "DescribeRule", operation: "DescribeRule", Name(Name: name), as: Described.self)
            return (r.Arn, r.State)
        } catch let error as AWSError where error.code == "ResourceNotFoundException" {
            return nil
        }
    }

    /// Removes the rule's targets, then the rule (EventBridge refuses to delete a rule with targets).
    public func deleteRuleAndTargets(_ name: String) async throws {
        let targets = try await client.json(Self.prefix + "ListTargetsByRule", operation: "ListTargetsByRule", Rule(Rule: name), as: Targets.self)
        let ids = (targets.Targets ?? []).map(\.Id)
        if !ids.isEmpty {
            _ = try await client.json(Self.prefix + "RemoveTargets", operation: "RemoveTargets", Remove(Rule: name, Ids: ids), as: Empty.self)
        }
        do {
            _ = try await client.json(Self.prefix + "DeleteRule", operation: "DeleteRule", Name(Name: name), as: Empty.self)
        } catch let error as AWSError where error.code == "ResourceNotFoundException" {}
    }
}
