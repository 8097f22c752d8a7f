import Foundation

/// The client-side send rate for one service in one region, shared by every client a session
/// makes: unlimited until the service throttles, then a token bucket at half the rate that was
/// being sent, doubling back every few seconds without throttling until it is unlimited again —
/// the idea of the SDKs' "adaptive" retry mode (which recovers on a cubic curve in time). Forty
/// stacks deployed at once then slow down together instead of each retrying into "Rate
/// exceeded" until its retries run out. Recovery is timed, not counted in successes, so one
/// stray throttle does not leave a session crawling.
public final class AdaptiveRateLimiter: @unchecked Sendable {
    private let lock = NSLock()
    /// The rate set by the last throttle, requests per second; nil: unlimited.
    private var base: Double?
    private var throttledAt = 0.0
    private var tokens = 0.0
    private var refilled: Double
    private var sends: [Double] = []
    private let now: @Sendable () -> Double

    static let floor = 0.5
    static let doublingSeconds = 5.0
    static let unlimitedAbove = 200.0

    public init(now: @escaping @Sendable () -> Double = { ProcessInfo.processInfo.systemUptime }) {
        self.now = now
        refilled = now()
    }

    /// Requests per second allowed now; nil: unlimited.
    var rate: Double? { lock.withLock { currentRate(at: now()) } }

    private func currentRate(at t: Double) -> Double? {
        guard let base else { return nil }
        let r = base * pow(2, (t - throttledAt) / Self.doublingSeconds)
        if r > Self.unlimitedAbove {
            self.base = nil
            return nil
        }
        return r
    }

    /// Waits until the current rate allows one more request.
    public func acquire() async {
        let wait = reserve()
        if wait > 0 { try? await Task.sleep(nanoseconds: UInt64(wait * 1_000_000_000)) }
    }

    /// Seconds to wait before sending; the token is taken now (a negative balance queues
    /// later callers behind this one).
    func reserve() -> Double {
        lock.withLock {
            let t = now()
            sends.append(t)
            sends.removeAll { $0 < t - 1 }
            guard let rate = currentRate(at: t) else { return 0 }
            tokens = min(tokens + (t - refilled) * rate, max(1, rate))
            refilled = t
            tokens -= 1
            return tokens >= 0 ? 0 : -tokens / rate
        }
    }

    /// After each answer: a throttle halves the rate (of what was sent in the last second, or
    /// of the rate allowed, whichever is lower).
    public func record(throttled: Bool) {
        guard throttled else { return }
        lock.withLock {
            let t = now()
            let measured = Double(sends.filter { $0 >= t - 1 }.count)
            let allowed = currentRate(at: t) ?? measured
            base = max(Self.floor, min(allowed, max(measured, Self.floor)) / 2)
            throttledAt = t
            tokens = min(tokens, 0)
            refilled = t
        }
    }
}

/// One limiter per service and region, for a session's clients.
public final class RateLimiters: @unchecked Sendable {
    private let lock = NSLock()
    private var limiters: [String: AdaptiveRateLimiter] = [:]
    public init() {}

    public func limiter(service: String, region: String) -> AdaptiveRateLimiter {
        lock.withLock {
            let key = service + "|" + region
            if let l = limiters[key] { return l }
            let l = AdaptiveRateLimiter()
            limiters[key] = l
            return l
        }
    }
}
