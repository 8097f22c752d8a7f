@testable import AWSClient
import AWSSigner
import DeployEngine
import Foundation

/// Answers CloudFormation query calls from recorded, real-AWS-shaped responses, per
/// action in order (the last one repeats). The emulator completes everything at once and
/// never fails or rolls back, so waiting, event following, recaps and recovery can only
/// be shown this way.
final class RecordedAWS: HTTPTransport, @unchecked Sendable {
    private let lock = NSLock()
    private var responses: [String: [String]]
    private(set) var actions: [String] = []

    init(_ responses: [String: [String]]) { self.responses = responses }

    func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let body = String(decoding: request.body, as: UTF8.self)
        let action = body.split(separator: "&").first { $0.hasPrefix("Action=") }.map { String($0.dropFirst(7)) } ?? "?"
        let xml: String? = lock.withLock {
            actions.append(action)
            guard var queue = responses[action], !queue.isEmpty else { return nil }
            let next = queue.count > 1 ? queue.removeFirst() : queue[0]
            responses[action] = queue
            return next
        }
        guard let xml else {
            return HTTPResponse(status: 400, body: Data("<ErrorResponse><Error><Code>Unexpected</Code><Message>no recording for \(action)</Message></Error></ErrorResponse>".utf8))
        }
        if xml.hasPrefix("ERROR ") {
            return HTTPResponse(status: 400, body: Data("<ErrorResponse><Error><Code>ValidationError</Code><Message>\(xml.dropFirst(6))</Message></Error><RequestId>rec</RequestId></ErrorResponse>".utf8))
        }
        return HTTPResponse(status: 200, body: Data("<\(action)Response xmlns=\"http://cloudformation.amazonaws.com/doc/2010-05-15/\"><\(action)Result>\(xml)</\(action)Result><ResponseMetadata><RequestId>rec</RequestId></ResponseMetadata></\(action)Response>".utf8))
    }

    var cloudFormation: CloudFormationClient {
        CloudFormationClient(AWSClient(service: .cloudFormation, region: "us-west-2",
                                       endpoint: ResolvedEndpoint(url: "https://cloudformation.us-west-2.amazonaws.com", source: "AWS", isCustom: false),
                                       credentials: CredentialResolver(static: AWSCredentials(accessKeyId: "AK", secretAccessKey: "s")),
                                       transport: self, retry: RetryStrategy(maxAttempts: 1)))
    }
}

enum Recorded {
    static let stackId = "arn:aws:cloudformation:us-west-2:123456789012:stack/app-main-Stack/6a1f0e20-0000-11ef-8000-0a1b2c3d4e5f"
    static let changeSetId = "arn:aws:cloudformation:us-west-2:123456789012:changeSet/tsdeploy-1/0b1c2d3e-0000-4000-8000-000000000001"

    static func stack(_ status: String, reason: String? = nil) -> String {
        "<Stacks><member><StackId>\(stackId)</StackId><StackName>app-main-Stack</StackName><StackStatus>\(status)</StackStatus>"
            + (reason.map { "<StackStatusReason>\($0)</StackStatusReason>" } ?? "")
            + "<CreationTime>2026-11-20T10:00:00.123Z</CreationTime><Parameters/><Tags/><Outputs/></member></Stacks>"
    }

    static func event(_ id: String, _ logical: String, _ type: String, _ status: String, _ time: String, _ reason: String? = nil) -> String {
        "<member><EventId>\(id)</EventId><StackId>\(stackId)</StackId><StackName>app-main-Stack</StackName><LogicalResourceId>\(logical)</LogicalResourceId>"
            + "<ResourceType>\(type)</ResourceType><Timestamp>2026-11-24T10:\(time)Z</Timestamp><ResourceStatus>\(status)</ResourceStatus>"
            + (reason.map { "<ResourceStatusReason>\($0)</ResourceStatusReason>" } ?? "") + "</member>"
    }

    static func events(_ members: [String]) -> String { "<StackEvents>" + members.joined() + "</StackEvents>" }

    static let changeSet = """
        <ChangeSetId>\(changeSetId)</ChangeSetId><ChangeSetName>tsdeploy-1</ChangeSetName><StackId>\(stackId)</StackId>\
        <Status>CREATE_COMPLETE</Status><ExecutionStatus>AVAILABLE</ExecutionStatus><Changes>\
        <member><Type>Resource</Type><ResourceChange><Action>Modify</Action><LogicalResourceId>Fn</LogicalResourceId>\
        <PhysicalResourceId>app-main-fn</PhysicalResourceId><ResourceType>AWS::Lambda::Function</ResourceType><Replacement>False</Replacement>\
        <Scope><member>Properties</member></Scope><Details><member><Target><Attribute>Properties</Attribute><Name>MemorySize</Name>\
        <RequiresRecreation>Never</RequiresRecreation></Target><Evaluation>Static</Evaluation><ChangeSource>DirectModification</ChangeSource></member></Details>\
        </ResourceChange></member>\
        <member><Type>Resource</Type><ResourceChange><Action>Modify</Action><LogicalResourceId>Data</LogicalResourceId>\
        <ResourceType>AWS::S3::Bucket</ResourceType><Replacement>False</Replacement></ResourceChange></member></Changes>
        """
}

/// Collects reporter calls as text, for snapshot comparisons.
final class RecordingReporter: DeployReporter, @unchecked Sendable {
    private let lock = NSLock()
    private var recorded: [String] = []
    var lines: [String] { lock.withLock { recorded } }
    private lazy var inner = LineReporter(write: { [weak self] line in self?.lock.withLock { self?.recorded.append(line) } })
    func info(_ s: String, _ m: String) { inner.info(s, m) }
    func warn(_ s: String, _ m: String) { inner.warn(s, m) }
    func changes(_ s: String, _ c: [CloudFormation.ResourceChange]) { inner.changes(s, c) }
    func event(_ s: String, _ e: CloudFormation.StackEvent, progress: StackProgress) { inner.event(s, e, progress: progress) }
    func finished(_ s: String, _ m: String, success: Bool) { inner.finished(s, m, success: success) }
}
