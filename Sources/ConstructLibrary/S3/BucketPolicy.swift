import CloudFormation
import ConstructCore

/// `AWS::S3::BucketPolicy`; statements are collected and rendered at synthesis.
public final class BucketPolicy: Construct {
    public private(set) var resource: CfnResource!
    private var document = PolicyDocument()
    private let bucketName: TemplateValue

    init(_ scope: Construct, _ id: String, bucket: BucketRef) {
        bucketName = bucket.bucketName
        super.init(scope, id)
        resource = CfnResource(self, "Resource", type: "AWS::S3::BucketPolicy", tagFormat: .none)
    }

    public func addStatement(_ statement: PolicyStatement) { document.statements.append(statement) }

    public override func prepare() {
        resource.cfnProperties = ["Bucket": bucketName, "PolicyDocument": document.render()]
    }
}
