import CloudFormation
import ConstructCore

/// A bucket we create or one that already exists; grants and triggers accept either.
public protocol BucketRef: AnyObject {
    var bucketName: TemplateValue { get }
    var bucketArn: TemplateValue { get }
    /// Turns on S3 → EventBridge notifications for the bucket.
    func enableEventBridgeNotifications()
}

extension BucketRef {
    /// ARN of objects matching `pattern` (`*` for all).
    public func arnForObjects(_ pattern: String) -> TemplateValue { Fn.join("", [bucketArn, .string("/" + pattern)]) }
}

public struct LifecycleRule: Sendable, Hashable {
    public var id: String
    public var prefix: String?
    public var expirationDays: Int?
    public var noncurrentVersionExpirationDays: Int?
    public var abortIncompleteMultipartUploadDays: Int?

    public init(id: String, prefix: String? = nil, expirationDays: Int? = nil,
                noncurrentVersionExpirationDays: Int? = nil, abortIncompleteMultipartUploadDays: Int? = nil) {
        self.id = id
        self.prefix = prefix
        self.expirationDays = expirationDays
        self.noncurrentVersionExpirationDays = noncurrentVersionExpirationDays
        self.abortIncompleteMultipartUploadDays = abortIncompleteMultipartUploadDays
    }

    func render() -> TemplateValue {
        var o: OrderedObject = ["Id": .string(id), "Status": "Enabled"]
        o.set("Prefix", prefix.map(TemplateValue.string))
        o.set("ExpirationInDays", expirationDays.map(TemplateValue.int))
        o.set("NoncurrentVersionExpiration", noncurrentVersionExpirationDays.map { ["NoncurrentDays": .int($0)] })
        o.set("AbortIncompleteMultipartUpload", abortIncompleteMultipartUploadDays.map { ["DaysAfterInitiation": .int($0)] })
        return .object(o)
    }
}

public struct BucketProps {
    /// A fixed bucket name (globally unique, 3–63 characters of `a-z0-9.-`).
    /// Default: CloudFormation generates one.
    public var bucketName: String?
    /// What happens to the bucket when it leaves the template. Default: `.retain`, because
    /// buckets hold data; choose `.delete` only for buckets tsdeploy may empty.
    public var removalPolicy: RemovalPolicy = .retain
    /// Keep every version of every object. Default: false.
    public var versioned = false
    /// Send object events to EventBridge. Default: false (see `enableEventBridgeNotifications`).
    public var eventBridgeEnabled = false
    public var lifecycleRules: [LifecycleRule] = []
    /// Marks the bucket as holding no user data, so `tsdeploy destroy` may empty it before
    /// deleting (CloudFormation cannot delete a non-empty bucket). Requires `.delete`.
    public var emptyOnDelete = false

    public init(bucketName: String? = nil, removalPolicy: RemovalPolicy = .retain) {
        self.bucketName = bucketName
        self.removalPolicy = removalPolicy
    }
}

/// `AWS::S3::Bucket`, secure by default: SSE-S3 encryption with bucket keys, all public
/// access blocked, ACLs disabled (BucketOwnerEnforced), and a bucket policy that denies
/// any request not made over TLS.
/// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-s3-bucket.html
public final class Bucket: Construct, BucketRef {
    public private(set) var resource: CfnResource!
    public private(set) var policy: BucketPolicy!
    public private(set) var props: BucketProps

    public init(_ scope: Construct, _ id: String, _ props: BucketProps = BucketProps()) {
        self.props = props
        precondition(!props.emptyOnDelete || props.removalPolicy == .delete, "emptyOnDelete needs removalPolicy .delete")
        super.init(scope, id)
        resource = CfnResource(self, "Resource", type: "AWS::S3::Bucket")
        resource.applyRemovalPolicy(props.removalPolicy)
        if let name = props.bucketName {
            resource.physicalValues = ["Ref": .string(name), "Arn": Fn.sub("arn:${AWS::Partition}:s3:::\(name)")]
        }
        policy = BucketPolicy(self, "Policy", bucket: self)
        policy.resource.applyRemovalPolicy(props.removalPolicy == .delete ? .delete : .retain)
        policy.addStatement(PolicyStatement(
            effect: .deny, actions: ["s3:*"], resources: [bucketArn, arnForObjects("*")], principals: [.anyone],
            conditions: ["Bool": ["aws:SecureTransport": "false"]]))
        if props.emptyOnDelete {
            stack.addEngineMetadata("tsdeploy:empty-on-delete", ["bucket": resource.ref], at: self)
        }
    }

    public var bucketName: TemplateValue { resource.ref }
    public var bucketArn: TemplateValue { resource.getAtt("Arn") }

    public func enableEventBridgeNotifications() { props.eventBridgeEnabled = true }

    public func addLifecycleRule(_ rule: LifecycleRule) { props.lifecycleRules.append(rule) }

    public override func prepare() {
        var p = OrderedObject()
        p.set("BucketName", props.bucketName.map(TemplateValue.string))
        p["BucketEncryption"] = [
            "ServerSideEncryptionConfiguration": [
                ["ServerSideEncryptionByDefault": ["SSEAlgorithm": "AES256"], "BucketKeyEnabled": true]
            ]
        ]
        if !props.lifecycleRules.isEmpty {
            p["LifecycleConfiguration"] = ["Rules": .array(props.lifecycleRules.map { $0.render() })]
        }
        if props.eventBridgeEnabled {
            p["NotificationConfiguration"] = ["EventBridgeConfiguration": ["EventBridgeEnabled": true]]
        }
        p["OwnershipControls"] = ["Rules": [["ObjectOwnership": "BucketOwnerEnforced"]]]
        p["PublicAccessBlockConfiguration"] = [
            "BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
        ]
        if props.versioned { p["VersioningConfiguration"] = ["Status": "Enabled"] }
        resource.cfnProperties = p
    }

    /// A bucket that exists outside this app, by name. It creates no resources.
    public static func fromBucketName(_ scope: Construct, _ id: String, _ name: String) -> ImportedBucket {
        ImportedBucket(scope, id, name: name)
    }
}

/// An existing bucket. CloudFormation cannot change its settings, so asking it for
/// EventBridge notifications records the request for the deploy engine, which merges it
/// into the bucket's notification configuration without touching other entries.
public final class ImportedBucket: Construct, BucketRef {
    public let name: String

    init(_ scope: Construct, _ id: String, name: String) {
        self.name = name
        super.init(scope, id)
    }

    public var bucketName: TemplateValue { .string(name) }
    public var bucketArn: TemplateValue { Fn.sub("arn:${AWS::Partition}:s3:::\(name)") }

    public static let eventBridgeMetadataType = "tsdeploy:bucket-eventbridge-notifications"

    public func enableEventBridgeNotifications() {
        guard !stack.engineMetadata.contains(where: { $0.type == Self.eventBridgeMetadataType && $0.path == "/" + path })
        else { return }
        stack.addEngineMetadata(Self.eventBridgeMetadataType, ["bucket": .string(name)], at: self)
    }
}
