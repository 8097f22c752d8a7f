/// One IAM policy statement added or removed, as `cdk diff` tabulates them.
public struct IAMStatementChange: Sendable, Equatable {
    public enum Kind: String, Sendable { case added = "+", removed = "-" }
    public var kind: Kind
    public var resource: String
    public var effect: String
    public var actions: String
    public var principal: String
    public var condition: String
    /// Where the statement lives (logical ID of the policy, role, bucket policy…).
    public var source: String

    static func statements(_ resources: [String: JSONValue]) -> [IAMStatementChange] {
        var out: [IAMStatementChange] = []
        for (id, resource) in resources {
            let props = resource["Properties"]?.objectValue ?? [:]
            var documents: [JSONValue] = []
            switch resource["Type"]?.stringValue ?? "" {
            case "AWS::IAM::Policy", "AWS::IAM::ManagedPolicy": documents = [props["PolicyDocument"] ?? .null]
            case "AWS::IAM::Role":
                documents = [props["AssumeRolePolicyDocument"] ?? .null] + (props["Policies"]?.arrayValue.compactMap { $0["PolicyDocument"] } ?? [])
            case "AWS::S3::BucketPolicy", "AWS::SQS::QueuePolicy", "AWS::SNS::TopicPolicy": documents = [props["PolicyDocument"] ?? .null]
            case "AWS::ECR::Repository": documents = [props["RepositoryPolicyText"] ?? .null]
            case "AWS::Lambda::Permission":
                out.append(IAMStatementChange(kind: .added, resource: props["FunctionName"]?.readable ?? "", effect: "Allow",
                                              actions: props["Action"]?.stringValue ?? "", principal: props["Principal"]?.readable ?? "",
                                              condition: props["SourceArn"].map { "SourceArn " + $0.readable } ?? "", source: id))
            default: break
            }
            for document in documents {
                for statement in document["Statement"]?.arrayValue ?? [] {
                    out.append(IAMStatementChange(
                        kind: .added,
                        resource: Self.list(statement["Resource"]).map(\.readable).joined(separator: ", "),
                        effect: statement["Effect"]?.stringValue ?? "",
                        actions: Self.list(statement["Action"]).map(\.readable).joined(separator: ", "),
                        principal: statement["Principal"]?.readable ?? "",
                        condition: statement["Condition"]?.compact ?? "", source: id))
                }
            }
        }
        return out
    }

    /// A policy element that may be one value or a list.
    static func list(_ value: JSONValue?) -> [JSONValue] {
        guard let value else { return [] }
        if case .array(let a) = value { return a }
        return [value]
    }

    static func changes(old: [String: JSONValue], new: [String: JSONValue]) -> [IAMStatementChange] {
        let before = statements(old), after = statements(new)
        func key(_ s: IAMStatementChange) -> String { [s.source, s.resource, s.effect, s.actions, s.principal, s.condition].joined(separator: "|") }
        let beforeKeys = Set(before.map(key)), afterKeys = Set(after.map(key))
        var out = after.filter { !beforeKeys.contains(key($0)) }
        out += before.filter { !afterKeys.contains(key($0)) }.map { var s = $0; s.kind = .removed; return s }
        return out.sorted { ($0.source, $0.kind.rawValue, $0.actions) < ($1.source, $1.kind.rawValue, $1.actions) }
    }
}

/// A security group rule added or removed.
public struct SecurityGroupChange: Sendable, Equatable {
    public var kind: IAMStatementChange.Kind
    public var group: String
    public var direction: String
    public var protocolName: String
    public var ports: String
    public var peer: String

    static func rules(_ resources: [String: JSONValue]) -> [SecurityGroupChange] {
        var out: [SecurityGroupChange] = []
        func rule(_ group: String, _ direction: String, _ r: JSONValue) -> SecurityGroupChange {
            let from = r["FromPort"]?.compact ?? "*", to = r["ToPort"]?.compact ?? "*"
            let peer = r["CidrIp"] ?? r["CidrIpv6"] ?? r["SourceSecurityGroupId"] ?? r["DestinationSecurityGroupId"] ?? r["SourcePrefixListId"] ?? .string("?")
            return SecurityGroupChange(kind: .added, group: group, direction: direction, protocolName: r["IpProtocol"]?.stringValue ?? "-1",
                                       ports: from == to ? from : "\(from)-\(to)", peer: peer.stringValue ?? peer.compact)
        }
        for (id, resource) in resources {
            let props = resource["Properties"]?.objectValue ?? [:]
            switch resource["Type"]?.stringValue ?? "" {
            case "AWS::EC2::SecurityGroup":
                out += (props["SecurityGroupIngress"]?.arrayValue ?? []).map { rule(id, "in", $0) }
                out += (props["SecurityGroupEgress"]?.arrayValue ?? []).map { rule(id, "out", $0) }
            case "AWS::EC2::SecurityGroupIngress": out.append(rule(props["GroupId"]?.compact ?? id, "in", resource["Properties"] ?? .null))
            case "AWS::EC2::SecurityGroupEgress": out.append(rule(props["GroupId"]?.compact ?? id, "out", resource["Properties"] ?? .null))
            default: break
            }
        }
        return out
    }

    static func changes(old: [String: JSONValue], new: [String: JSONValue]) -> [SecurityGroupChange] {
        func key(_ r: SecurityGroupChange) -> String { [r.group, r.direction, r.protocolName, r.ports, r.peer].joined(separator: "|") }
        let before = rules(old), after = rules(new)
        let b = Set(before.map(key)), a = Set(after.map(key))
        return (after.filter { !b.contains(key($0)) } + before.filter { !a.contains(key($0)) }.map { var r = $0; r.kind = .removed; return r })
            .sorted { key($0) < key($1) }
    }
}
