@testable import AWSClient
import AWSSigner
import Foundation
import Testing

@Suite struct S3AddressingTests {
    func client(endpoint: ResolvedEndpoint, transport: ScriptedTransport, region: String = "us-west-2") -> S3Client {
        S3Client(AWSClient(service: .s3, region: region, endpoint: endpoint,
                           credentials: CredentialResolver(static: AWSCredentials(accessKeyId: "AK", secretAccessKey: "s")),
                           transport: transport, retry: noSleep))
    }

    let aws = ResolvedEndpoint(url: "https://s3.us-west-2.amazonaws.com", source: "AWS", isCustom: false)

    @Test func virtualHostedOnAWSPathStyleElsewhere() async throws {
        let transport = ScriptedTransport(handler: { _ in HTTPResponse(status: 200) })
        try await client(endpoint: aws, transport: transport).putObject(bucket: "my-bucket", key: "a b/c+d", body: Data("x".utf8))
        try await client(endpoint: aws, transport: transport).putObject(bucket: "dotted.bucket", key: "k", body: Data())
        try await client(endpoint: ResolvedEndpoint(url: "http://localhost:5000", source: "test", isCustom: true), transport: transport)
            .putObject(bucket: "my-bucket", key: "k", body: Data())
        #expect(transport.requests.map(\.url) == [
            "https://my-bucket.s3.us-west-2.amazonaws.com/a%20b/c%2Bd",
            "https://s3.us-west-2.amazonaws.com/dotted.bucket/k",
            "http://localhost:5000/my-bucket/k",
        ])
        #expect(transport.requests[0].header("X-Amz-Content-SHA256") == "2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881")
    }

    @Test func wrongRegionIsFollowedOnce() async throws {
        let transport = ScriptedTransport([
            xml(301, "<Error><Code>PermanentRedirect</Code><Message>m</Message></Error>", headers: ["x-amz-bucket-region": "eu-west-1"]),
            .response(HTTPResponse(status: 200, body: Data("hello".utf8))),
        ])
        let data = try await client(endpoint: aws, transport: transport).getObject(bucket: "elsewhere", key: "k")
        #expect(String(decoding: data, as: UTF8.self) == "hello")
        #expect(transport.requests[1].url == "https://elsewhere.s3.eu-west-1.amazonaws.com/k")
        #expect(transport.requests[1].header("Authorization")?.contains("/eu-west-1/s3/aws4_request") == true)
    }

    @Test func enablingEventBridgeKeepsOtherNotifications() async throws {
        let existing = """
            <NotificationConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TopicConfiguration><Id>t1</Id>\
            <Topic>arn:aws:sns:us-west-2:123456789012:t</Topic><Event>s3:ObjectRemoved:*</Event></TopicConfiguration>\
            </NotificationConfiguration>
            """
        let transport = ScriptedTransport([xml(200, existing), .response(HTTPResponse(status: 200))])
        #expect(try await client(endpoint: aws, transport: transport).enableEventBridgeNotifications("data"))
        let put = transport.requests[1]
        #expect(put.method == "PUT" && put.url.hasSuffix("/?notification="))
        let sent = try XMLNode.parse(put.body)
        #expect(sent.child("TopicConfiguration")?.string("Topic") == "arn:aws:sns:us-west-2:123456789012:t")
        #expect(sent.child("EventBridgeConfiguration") != nil)

        // Already on: nothing is written.
        let on = ScriptedTransport([xml(200, "<NotificationConfiguration><EventBridgeConfiguration/></NotificationConfiguration>")])
        #expect(try await client(endpoint: aws, transport: on).enableEventBridgeNotifications("data") == false)
        #expect(on.count == 1)
    }
}
