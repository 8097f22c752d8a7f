@testable import AWSClient
import Foundation
import Testing

@Suite struct ErrorAndXMLTests {
    func parse(_ status: Int, _ body: String, headers: [String: String] = [:]) -> AWSError {
        AWSError.parse(service: "X", operation: "Op", response: HTTPResponse(status: status, headers: headers, body: Data(body.utf8)))
    }

    @Test func queryProtocolError() {
        let e = parse(400, """
            <ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type>\
            <Code>ValidationError</Code><Message>Stack with id nope does not exist</Message></Error>\
            <RequestId>abc-123</RequestId></ErrorResponse>
            """)
        #expect(e.code == "ValidationError")
        #expect(e.message == "Stack with id nope does not exist")
        #expect(e.requestId == "abc-123")
        #expect(CloudFormationClient.isMissingStack(e))
    }

    @Test func s3Error() {
        let e = parse(301, "<Error><Code>PermanentRedirect</Code><Message>use the right endpoint</Message><Region>eu-west-1</Region><RequestId>R</RequestId></Error>")
        #expect(e.code == "PermanentRedirect")
        #expect(e.bucketRegion == "eu-west-1")
        #expect(parse(400, "", headers: ["x-amz-bucket-region": "ap-south-1"]).bucketRegion == "ap-south-1")
    }

    @Test(arguments: [
        ("{\"__type\":\"com.amazonaws.ssm#ParameterNotFound\",\"message\":\"gone\"}", "ParameterNotFound", "gone"),
        ("{\"__type\":\"RepositoryNotFoundException:http://internal\",\"Message\":\"no repo\"}", "RepositoryNotFoundException", "no repo"),
        ("{\"__type\":\"ThrottlingException\"}", "ThrottlingException", "bad request"),
    ])
    func jsonErrors(body: String, code: String, message: String) {
        let e = parse(400, body, headers: ["x-amzn-RequestId": "req-9"])
        #expect(e.code == code)
        #expect(e.message == message)
        #expect(e.requestId == "req-9")
    }

    @Test func htmlPageBecomesAShortMessage() {
        let e = parse(502, "<html><body><h1>502 Bad Gateway</h1>" + String(repeating: "x", count: 5000) + "</body></html>")
        #expect(e.code == "HTTP502")
        #expect(e.message == "bad gateway")
        #expect(e.description.count < 120)
    }

    @Test func xmlRoundTripKeepsUnknownParts() throws {
        let text = """
            <NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><QueueConfiguration><Id>q&amp;1</Id>\
            <Queue>arn:aws:sqs:us-west-2:123456789012:q</Queue><Event>s3:ObjectCreated:*</Event>\
            <Filter><S3Key><FilterRule><Name>prefix</Name><Value>in/</Value></FilterRule></S3Key></Filter></QueueConfiguration>\
            </NotificationConfiguration>
            """
        let node = try XMLNode.parse(Data(text.utf8))
        #expect(node.first("Queue")?.text == "arn:aws:sqs:us-west-2:123456789012:q")
        #expect(try XMLNode.parse(Data(node.xml(namespace: S3Client.namespace).utf8)) == node)
        #expect(node.xml().contains("<Id>q&amp;1</Id>"))
    }

    @Test func timestamps() {
        #expect(Timestamps.iso8601("2026-11-24T10:00:00Z") == Timestamps.iso8601("2026-11-24T10:00:00.000Z"))
        #expect(Timestamps.iso8601("2026-11-24T10:00:00.123456") != nil)
        #expect(Timestamps.httpDate("Tue, 24 Nov 2026 10:00:00 GMT") == Timestamps.iso8601("2026-11-24T10:00:00Z"))
    }
}
