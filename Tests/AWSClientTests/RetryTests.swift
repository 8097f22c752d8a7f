@testable import AWSClient
import AWSSigner
import Foundation
import Testing

/// Retry and clock-skew behaviour with injected faults (a scripted transport), since a
/// real endpoint cannot be made to throttle or drop connections on demand.
@Suite struct RetryTests {
    let ok = xml(200, "<GetCallerIdentityResponse><GetCallerIdentityResult><Account>123456789012</Account><Arn>arn:aws:iam::123456789012:user/x</Arn><UserId>U</UserId></GetCallerIdentityResult></GetCallerIdentityResponse>")
    let throttled = xml(400, "<ErrorResponse><Error><Type>Sender</Type><Code>Throttling</Code><Message>Rate exceeded</Message></Error><RequestId>t</RequestId></ErrorResponse>")

    func sts(_ transport: ScriptedTransport, attempts: Int = 3, sleeps: SleepLog = SleepLog()) -> STSClient {
        let retry = RetryStrategy(maxAttempts: attempts, sleep: { await sleeps.record($0) }, random: { 0.5 })
        return STSClient(AWSClient(service: .sts, region: "us-west-2",
                                   endpoint: ResolvedEndpoint(url: "https://sts.us-west-2.amazonaws.com", source: "AWS", isCustom: false),
                                   credentials: CredentialResolver(static: AWSCredentials(accessKeyId: "AK", secretAccessKey: "s")),
                                   transport: transport, retry: retry))
    }

    @Test func throttledTwiceThenSucceeds() async throws {
        let transport = ScriptedTransport([throttled, throttled, ok])
        let sleeps = SleepLog()
        #expect(try await sts(transport, sleeps: sleeps).getCallerIdentity().account == "123456789012")
        #expect(transport.count == 3)
        // Full jitter with random() = 0.5: 0.5 × 2^0, 0.5 × 2^1.
        #expect(await sleeps.values == [0.5, 1.0])
        // Each attempt is signed anew.
        #expect(Set(transport.requests.compactMap { $0.header("Authorization") }).count >= 1)
    }

    @Test func givesUpAfterMaxAttempts() async throws {
        let transport = ScriptedTransport([throttled, throttled, throttled, ok])
        do {
            _ = try await sts(transport).getCallerIdentity()
            Issue.record("expected throttling to surface")
        } catch let error as AWSError {
            #expect(error.code == "Throttling")
            #expect(error.hint?.contains("AWS_MAX_ATTEMPTS") == true)
        }
        #expect(transport.count == 3)
    }

    @Test func maxAttemptsFromTheEnvironment() throws {
        let home = try FakeHome()
        #expect(RetryStrategy.standard(environment: home.environment(["AWS_MAX_ATTEMPTS": "7"]), profile: nil).maxAttempts == 7)
        #expect(RetryStrategy.standard(environment: home.environment(), profile: nil).maxAttempts == 3)
    }

    @Test func droppedConnectionAnd500PageAreRetried() async throws {
        let transport = ScriptedTransport([
            .failure(TransportError(.connection, "connection reset by peer")),
            xml(500, "<html><body>Internal Server Error</body></html>"),
            ok,
        ])
        #expect(try await sts(transport).getCallerIdentity().arn.hasSuffix("user/x"))
        #expect(transport.count == 3)
    }

    @Test func clientErrorsAreNotRetried() async throws {
        let transport = ScriptedTransport([
            xml(403, "<ErrorResponse><Error><Code>AccessDenied</Code><Message>no</Message></Error></ErrorResponse>"), ok,
        ])
        await #expect(throws: AWSError.self) { try await sts(transport).getCallerIdentity() }
        #expect(transport.count == 1)
    }

    @Test func skewedClockIsCorrectedAndTheRequestResigned() async throws {
        let serverNow = Date().addingTimeInterval(3600)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let skewed = xml(403, "<ErrorResponse><Error><Code>SignatureDoesNotMatch</Code><Message>Signature expired</Message></Error></ErrorResponse>",
                         headers: ["Date": formatter.string(from: serverNow)])
        let transport = ScriptedTransport([skewed, ok])
        #expect(try await sts(transport, attempts: 1).getCallerIdentity().account == "123456789012")
        let dates = transport.requests.compactMap { $0.header("X-Amz-Date") }
        #expect(dates.count == 2)
        #expect(dates[0] != dates[1])
        #expect(dates[1].hasPrefix(String(Self.amzDate(serverNow).prefix(11))))
    }

    static func amzDate(_ d: Date) -> String {
        let f = DateFormatter()
        f.locale = Locale(identifier: "en_US_POSIX")
        f.timeZone = TimeZone(identifier: "UTC")
        f.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return f.string(from: d)
    }

    @Test func quotaStopsRetryStorms() async {
        let quota = RetryQuota()
        var granted = 0
        while await quota.acquire(5) { granted += 1 }
        #expect(granted == 100)
        await quota.release(5)
        #expect(await quota.acquire(5))
    }
}

actor SleepLog {
    var values: [Double] = []
    func record(_ seconds: Double) { values.append(seconds) }
}
