import CloudFormation
import ConstructCore

extension BucketRef {
    @discardableResult
    public func grantRead(_ grantee: Grantable) -> Grant {
        Grant.toPrincipal(grantee, actions: Actions.bucketRead, resources: [bucketArn, arnForObjects("*")])
    }

    @discardableResult
    public func grantReadWrite(_ grantee: Grantable) -> Grant {
        Grant.toPrincipal(grantee, actions: Actions.bucketRead + Actions.bucketWrite,
                          resources: [bucketArn, arnForObjects("*")])
    }

    /// Reading and replacing the bucket's notification configuration.
    @discardableResult
    public func grantNotificationConfiguration(_ grantee: Grantable) -> Grant {
        Grant.toPrincipal(grantee, actions: ["s3:GetBucketNotification", "s3:PutBucketNotification"], resources: [bucketArn])
    }
}
