import Foundation

/// The SDKs' "standard" retry mode: up to `maxAttempts` attempts in all (AWS_MAX_ATTEMPTS,
/// default 3), backoff `random[0,1) × min(2^(n−1), 20 s)` (full jitter), retrying
/// throttling codes, transient codes, HTTP 500/502/503/504 and connection failures,
/// limited by a shared quota so that a broken endpoint fails fast instead of retrying
/// every call.
public struct RetryStrategy: Sendable {
    public var maxAttempts: Int
    public var maxBackoff: Double
    public var sleep: @Sendable (Double) async throws -> Void
    public var random: @Sendable () -> Double
    let quota: RetryQuota

    public init(maxAttempts: Int = 3, maxBackoff: Double = 20,
                sleep: @escaping @Sendable (Double) async throws -> Void = { seconds in
                    try await Task.sleep(nanoseconds: UInt64(max(0, seconds) * 1_000_000_000))
                },
                random: @escaping @Sendable () -> Double = { Double.random(in: 0..<1) }) {
        self.maxAttempts = max(1, maxAttempts)
        self.maxBackoff = maxBackoff
        self.sleep = sleep
        self.random = random
        self.quota = RetryQuota()
    }

    /// AWS_MAX_ATTEMPTS, then the profile's `max_attempts`, then 3.
    public static func standard(environment: AWSEnvironment, profile: Profile?) -> RetryStrategy {
        let configured = environment["AWS_MAX_ATTEMPTS"].flatMap(Int.init) ?? profile?["max_attempts"].flatMap(Int.init)
        return RetryStrategy(maxAttempts: configured ?? 3)
    }

    public func backoff(attempt: Int) -> Double {
        random() * min(pow(2, Double(attempt - 1)), maxBackoff)
    }

    public static let throttlingCodes: Set<String> = [
        "Throttling", "ThrottlingException", "ThrottledException", "RequestThrottledException", "TooManyRequestsException",
        "ProvisionedThroughputExceededException", "TransactionInProgressException", "RequestLimitExceeded",
        "BandwidthLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete",
        "EC2ThrottledException",
    ]
    static let transientCodes: Set<String> = ["RequestTimeout", "RequestTimeoutException", "PriorRequestNotComplete", "IDPCommunicationError"]
    static let transientStatuses: Set<Int> = [500, 502, 503, 504]
    static let clockSkewCodes: Set<String> = [
        "RequestTimeTooSkewed", "RequestExpired", "RequestInTheFuture", "InvalidSignatureException", "SignatureDoesNotMatch", "AuthFailure",
    ]

    enum Decision: Equatable { case fail, retry(cost: Int) }

    func decide(_ error: Error) -> Decision {
        switch error {
        case let error as TransportError:
            return error.kind == .invalidURL ? .fail : .retry(cost: error.kind == .timeout ? 10 : 5)
        case let error as AWSError:
            if Self.throttlingCodes.contains(error.code) || Self.transientCodes.contains(error.code)
                || Self.transientStatuses.contains(error.status) { return .retry(cost: 5) }
            return .fail
        default:
            return .fail
        }
    }
}

/// 500 tokens shared by all clients of a session; a retry spends 5 (10 after a timeout),
/// a success gives back what its retries spent, or 1.
actor RetryQuota {
    private var available = 500

    func acquire(_ cost: Int) -> Bool {
        guard available >= cost else { return false }
        available -= cost
        return true
    }

    func release(_ cost: Int) { available = min(500, available + max(cost, 1)) }
}

/// The difference between this machine's clock and AWS's, learnt from `Date` headers, so
/// that a machine whose clock is off still signs requests AWS accepts (as the JS SDK does).
public actor ClockSkew {
    public private(set) var offset: TimeInterval = 0
    public init() {}

    public func now() -> Date { Date().addingTimeInterval(offset) }

    /// Returns true when the offset changed (the caller then re-signs and retries once).
    func observe(serverDate header: String?) -> Bool {
        guard let header, let server = Timestamps.httpDate(header) else { return false }
        let drift = server.timeIntervalSince(Date().addingTimeInterval(offset))
        guard abs(drift) >= 300 else { return false }
        offset = server.timeIntervalSince(Date())
        return true
    }
}
