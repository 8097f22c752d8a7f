import CloudFormation

/// One IAM policy statement. Actions must name a service (`s3:GetObject`); a bare `*`
/// is rejected at synthesis, which is how tsdeploy keeps every policy least-privilege.
public struct PolicyStatement: Sendable, Hashable {
    public enum Effect: String, Sendable { case allow = "Allow", deny = "Deny" }

    public var sid: String?
    public var effect: Effect
    public var actions: [String]
    public var resources: [TemplateValue]
    public var principals: [Principal]
    public var conditions: OrderedObject

    public init(sid: String? = nil, effect: Effect = .allow, actions: [String], resources: [TemplateValue] = [],
                principals: [Principal] = [], conditions: OrderedObject = OrderedObject()) {
        self.sid = sid
        self.effect = effect
        self.actions = actions
        self.resources = resources
        self.principals = principals
        self.conditions = conditions
    }

    public func render() -> TemplateValue {
        var o = OrderedObject()
        o.set("Sid", sid.map(TemplateValue.string))
        o["Effect"] = .string(effect.rawValue)
        if !principals.isEmpty { o["Principal"] = Principal.render(principals) }
        o["Action"] = actions.count == 1 ? .string(actions[0]) : .array(actions.map(TemplateValue.string))
        if !resources.isEmpty { o["Resource"] = resources.count == 1 ? resources[0] : .array(resources) }
        if !conditions.isEmpty { o["Condition"] = .object(conditions) }
        return .object(o)
    }
}

/// Who a resource policy or trust policy speaks to.
public enum Principal: Sendable, Hashable {
    case service(String)
    case aws(TemplateValue)
    case anyone

    static func render(_ principals: [Principal]) -> TemplateValue {
        if principals == [.anyone] { return ["AWS": "*"] }
        var services: [TemplateValue] = []
        var aws: [TemplateValue] = []
        for p in principals {
            switch p {
            case .service(let s): services.append(.string(s))
            case .aws(let v): aws.append(v)
            case .anyone: aws.append("*")
            }
        }
        var o = OrderedObject()
        if !aws.isEmpty { o["AWS"] = aws.count == 1 ? aws[0] : .array(aws) }
        if !services.isEmpty { o["Service"] = services.count == 1 ? services[0] : .array(services) }
        return .object(o)
    }
}

public struct PolicyDocument: Sendable, Hashable {
    public var statements: [PolicyStatement] = []
    public init(_ statements: [PolicyStatement] = []) { self.statements = statements }
    public var isEmpty: Bool { statements.isEmpty }

    public func render() -> TemplateValue {
        ["Version": "2012-10-17", "Statement": .array(statements.map { $0.render() })]
    }
}
