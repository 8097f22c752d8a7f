@testable import AWSClient
import Foundation
import Testing

@Suite struct RateLimiterTests {
    final class Clock: @unchecked Sendable {
        var t = 100.0
    }

    @Test func unlimitedUntilThrottledThenHalfWhatWasSent() {
        let clock = Clock()
        let limiter = AdaptiveRateLimiter(now: { clock.t })
        for _ in 0..<10 { #expect(limiter.reserve() == 0) }  // 10 sends in this second, no waiting
        limiter.record(throttled: true)
        #expect(limiter.rate == 5)
        // The bucket starts empty: the next sends are spaced 1/5 s apart.
        #expect(abs(limiter.reserve() - 0.2) < 1e-9)
        #expect(abs(limiter.reserve() - 0.4) < 1e-9)
        clock.t += 1
        #expect(limiter.reserve() == 0)
    }

    @Test func theRateDoublesBackWithoutThrottlingUntilItIsUnlimitedAgain() {
        let clock = Clock()
        let limiter = AdaptiveRateLimiter(now: { clock.t })
        _ = limiter.reserve()
        limiter.record(throttled: true)
        #expect(limiter.rate == AdaptiveRateLimiter.floor)
        clock.t += AdaptiveRateLimiter.doublingSeconds
        #expect(limiter.rate == AdaptiveRateLimiter.floor * 2)
        clock.t += 60
        #expect(limiter.rate == nil)
        #expect(limiter.reserve() == 0)
    }

    @Test func aSecondThrottleHalvesTheAllowedRateNotTheBurst() {
        let clock = Clock()
        let limiter = AdaptiveRateLimiter(now: { clock.t })
        for _ in 0..<40 { _ = limiter.reserve() }
        limiter.record(throttled: true)
        #expect(limiter.rate == 20)
        limiter.record(throttled: true)  // 40 sends still in the last second, but only 20/s allowed
        #expect(limiter.rate == 10)
    }

    @Test func oneLimiterPerServiceAndRegionInASession() {
        let limiters = RateLimiters()
        #expect(limiters.limiter(service: "CloudFormation", region: "us-west-2") === limiters.limiter(service: "CloudFormation", region: "us-west-2"))
        #expect(limiters.limiter(service: "CloudFormation", region: "us-west-2") !== limiters.limiter(service: "CloudFormation", region: "eu-west-1"))
    }
}
