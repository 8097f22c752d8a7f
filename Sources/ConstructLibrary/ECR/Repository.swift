import CloudFormation
import ConstructCore

public struct RepositoryProps {
    /// Lower-case name (`[a-z0-9]+([._-][a-z0-9]+)*`, with optional `/` namespaces, 2–256).
    public var repositoryName: String?
    /// Delete the images with the repository when the stack deletes it. Default: true —
    /// images are rebuilt from source, and a repository with images cannot be deleted.
    public var emptyOnDelete = true
    /// Tags are reused per branch (`{pipeline}-{branch}`), so they must stay mutable.
    public var tagMutability = "MUTABLE"
    /// Keep at most this many untagged images (superseded builds). Default: 10.
    public var maxUntaggedImages: Int? = 10

    public init(repositoryName: String? = nil) { self.repositoryName = repositoryName }
}

/// `AWS::ECR::Repository`: scan on push, AES-256 encryption, untagged images expire.
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-ecr-repository.html
public final class Repository: Construct {
    public private(set) var resource: CfnResource!
    public let props: RepositoryProps
    private var resourcePolicy = PolicyDocument()

    public init(_ scope: Construct, _ id: String, _ props: RepositoryProps = RepositoryProps()) {
        self.props = props
        super.init(scope, id)
        resource = CfnResource(self, "Resource", type: "AWS::ECR::Repository")
        resource.applyRemovalPolicy(props.emptyOnDelete ? .delete : .retain)
        if let name = props.repositoryName {
            resource.physicalValues = [
                "Ref": .string(name),
                "Arn": Fn.sub("arn:${AWS::Partition}:ecr:${AWS::Region}:${AWS::AccountId}:repository/\(name)"),
                "RepositoryUri": Fn.sub("${AWS::AccountId}.dkr.ecr.${AWS::Region}.${AWS::URLSuffix}/\(name)"),
            ]
        }
    }

    public var repositoryName: TemplateValue { resource.ref }
    public var repositoryArn: TemplateValue { resource.getAtt("Arn") }
    public var repositoryUri: TemplateValue { resource.getAtt("RepositoryUri") }

    public func addToResourcePolicy(_ statement: PolicyStatement) { resourcePolicy.statements.append(statement) }

    @discardableResult
    public func grantPull(_ grantee: Grantable) -> Grant {
        Grant.toPrincipal(grantee, actions: Actions.ecrPull, resources: [repositoryArn])
    }

    /// Push and pull, plus `ecr:GetAuthorizationToken`, which only exists account-wide.
    @discardableResult
    public func grantPullPush(_ grantee: Grantable) -> Grant {
        let repo = Grant.toPrincipal(grantee, actions: Actions.ecrPull + Actions.ecrPush, resources: [repositoryArn])
        let token = Grant.toPrincipal(grantee, actions: ["ecr:GetAuthorizationToken"], resources: ["*"])
        return Grant(statements: repo.statements + token.statements, addedToPrincipal: repo.addedToPrincipal)
    }

    /// Lets Lambda pull images for functions of this account and region (needed for
    /// container-image functions; Lambda checks the repository policy).
    public func allowLambdaPull() {
        addToResourcePolicy(PolicyStatement(
            sid: "LambdaECRImageRetrievalPolicy", actions: ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"],
            principals: [.service("lambda.amazonaws.com")],
            conditions: ["StringLike": ["aws:sourceArn": Fn.sub("arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:*")]]))
    }

    public override func prepare() {
        var p = OrderedObject()
        p["EmptyOnDelete"] = .bool(props.emptyOnDelete)
        p["EncryptionConfiguration"] = ["EncryptionType": "AES256"]
        p["ImageScanningConfiguration"] = ["ScanOnPush": true]
        p["ImageTagMutability"] = .string(props.tagMutability)
        if let keep = props.maxUntaggedImages {
            let policy: TemplateValue = ["rules": [[
                "rulePriority": 1, "description": .string("Keep only the \(keep) newest untagged images"),
                "selection": ["tagStatus": "untagged", "countType": "imageCountMoreThan", "countNumber": .int(keep)],
                "action": ["type": "expire"],
            ]]]
            p["LifecyclePolicy"] = ["LifecyclePolicyText": .string(JSONWriter.compact(policy))]
        }
        p.set("RepositoryName", props.repositoryName.map(TemplateValue.string))
        if !resourcePolicy.isEmpty { p["RepositoryPolicyText"] = resourcePolicy.render() }
        resource.cfnProperties = p
    }
}
