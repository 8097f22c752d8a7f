import Foundation

/// SSM (JSON 1.1): the one call the engine needs, reading the bootstrap version.
public struct SSMClient: Sendable {
    public let client: AWSClient
    public init(_ client: AWSClient) { self.client = client }

    public struct Parameter: Sendable, Equatable, Decodable {
        public var name: String
        public var type: String?
        public var value: String
        public var version: Int?
        enum CodingKeys: String, CodingKey { case name = "Name", type = "Type", value = "Value", version = "Version" }
    }

    struct GetParameterInput: Encodable {
        var Name: String
        var WithDecryption: Bool?
    }
    struct GetParameterOutput: Decodable { var Parameter: Parameter }

    public func getParameter(_ name: String, withDecryption: Bool? = nil) async throws -> Parameter {
        try await client.json("AmazonSSM.GetParameter", operation: "GetParameter",
                              GetParameterInput(Name: name, WithDecryption: withDecryption), as: GetParameterOutput.self).Parameter
    }

    /// nil when the parameter does not exist.
    public func parameterIfExists(_ name: String) async throws -> Parameter? {
        do { return try await getParameter(name) } catch let error as AWSError where error.code == "ParameterNotFound" {
            return nil
        }
    }
}
