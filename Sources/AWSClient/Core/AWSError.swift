import Foundation

/// An error response from an AWS service: code, message and request id, parsed from the
/// query/rest-xml (`<Error><Code>`) or JSON (`__type`) shapes.
public struct AWSError: Error, Sendable, CustomStringConvertible {
    public var service: String
    public var operation: String
    public var code: String
    public var message: String
    public var requestId: String?
    public var status: Int
    /// S3's wrong-region answers name the bucket's region.
    public var bucketRegion: String?

    public init(service: String, operation: String, code: String, message: String, requestId: String? = nil, status: Int) {
        self.service = service
        self.operation = operation
        self.code = code
        self.message = message
        self.requestId = requestId
        self.status = status
    }

    public var description: String {
        var text = "\(service) \(operation) failed: \(code)"
        if !message.isEmpty { text += ": \(message)" }
        if let requestId { text += " (request id \(requestId))" }
        return text
    }

    /// What the person at the keyboard should do about it, when the code says.
    public var hint: String? {
        switch code {
        case "ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired":
            return "the credentials have expired: refresh them (for IAM Identity Center, `aws sso login`) and run again"
        case "InvalidClientTokenId", "UnrecognizedClientException", "InvalidAccessKeyId":
            return "the access key is not known to AWS: check AWS_ACCESS_KEY_ID or the profile's keys (`tsdeploy doctor` shows which are used)"
        case "SignatureDoesNotMatch", "InvalidSignatureException":
            return "the secret access key does not match the access key id, or the clock is wrong: check the profile's secret and the system time"
        case "AccessDenied", "AccessDeniedException", "UnauthorizedOperation":
            return "the identity in use is not allowed to do this: grant it the permission named above, or use a role that has it"
        case "RequestTimeTooSkewed", "RequestInTheFuture":
            return "the system clock is off by more than 5 minutes: synchronise it (e.g. `timedatectl set-ntp true`)"
        case "Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded":
            return "AWS is rate-limiting this account: wait a minute and run again, or raise AWS_MAX_ATTEMPTS"
        default:
            return nil
        }
    }

    static func parse(service: String, operation: String, response: HTTPResponse) -> AWSError {
        let requestId = response.header("x-amzn-requestid") ?? response.header("x-amz-request-id")
        var error = AWSError(service: service, operation: operation, code: "HTTP\(response.status)",
                             message: Self.statusText(response.status), requestId: requestId, status: response.status)
        error.bucketRegion = response.header("x-amz-bucket-region")
        let body = response.body
        guard !body.isEmpty else { return error }
        let first = body.first { !($0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09) }
        if first == UInt8(ascii: "{"),
           let object = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] {
            if let type = (object["__type"] as? String) ?? (object["code"] as? String) ?? response.header("x-amzn-errortype") {
                var code = type
                if let hash = code.lastIndex(of: "#") { code = String(code[code.index(after: hash)...]) }
                if let colon = code.firstIndex(of: ":") { code = String(code[..<colon]) }
                error.code = code
            }
            error.message = (object["message"] as? String) ?? (object["Message"] as? String) ?? error.message
        } else if first == UInt8(ascii: "<"), let root = try? XMLNode.parse(body), root.name != "html" {
            let node = root.first("Error") ?? root
            if let code = node.string("Code") { error.code = code }
            error.message = node.string("Message") ?? error.message
            error.requestId = root.string("RequestId") ?? node.string("RequestId") ?? error.requestId
            error.bucketRegion = error.bucketRegion ?? node.string("Region")
        } else {
            // An HTML or text page from a proxy, load balancer or emulator: keep it short.
            let text = String(decoding: body.prefix(200), as: UTF8.self).split(whereSeparator: \.isNewline).first
            if let text, !text.contains("<") { error.message = String(text) }
        }
        return error
    }

    static func statusText(_ status: Int) -> String {
        switch status {
        case 400: "bad request"
        case 403: "forbidden"
        case 404: "not found"
        case 500: "internal server error"
        case 502: "bad gateway"
        case 503: "service unavailable"
        case 504: "gateway timeout"
        default: "HTTP status \(status)"
        }
    }
}

/// A response that could not be understood (not the service's fault per se).
public struct AWSResponseError: Error, Sendable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
