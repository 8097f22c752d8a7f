import Foundation

/// A set of AWS credentials. `description` never shows the secret or the token, so
/// credentials can be logged or interpolated without leaking.
public struct AWSCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible {
    public var accessKeyId: String
    public var secretAccessKey: String
    public var sessionToken: String?
    public var expiration: Date?

    public init(accessKeyId: String, secretAccessKey: String, sessionToken: String? = nil, expiration: Date? = nil) {
        self.accessKeyId = accessKeyId
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
        self.expiration = expiration
    }

    /// The access key id with all but its last four characters masked.
    public var maskedAccessKeyId: String {
        String(repeating: "*", count: max(0, accessKeyId.count - 4)) + accessKeyId.suffix(4)
    }

    public var description: String {
        "AWSCredentials(\(maskedAccessKeyId), secret: ****\(sessionToken == nil ? "" : ", session token: ****"))"
    }
    public var debugDescription: String { description }
}
