import Crypto
import Foundation

/// Logical IDs, computed exactly as aws-cdk-lib's `makeUniqueId` does: the readable part
/// is the path's ids without `Default`/`Resource`, skipping an id the previous one ends with,
/// alphanumerics only, capped at 240 characters, followed by the first 8 hex digits
/// (upper-case) of the MD5 of the path. A top-level id that is already alphanumeric is
/// used as is. Matching CDK lets templates move between the tools without replacing
/// resources; changing this function replaces deployed resources, so it is pinned by tests.
public enum LogicalId {
    static let hiddenId = "Default"
    static let hiddenFromHumanId = "Resource"
    static let maxHumanLength = 240
    static let maxLength = 255

    public static func make(_ pathComponents: [String]) -> String {
        let components = pathComponents.filter { $0 != hiddenId }
        precondition(!components.isEmpty, "logical ids need a non-empty path")
        if components.count == 1 {
            let candidate = alphanumeric(components[0])
            if !candidate.isEmpty, candidate.count <= maxLength { return candidate }
        }
        // Skips a component the previous one ends with ("BucketPolicy" then "Policy").
        var deduplicated: [String] = []
        for c in components where !(deduplicated.last?.hasSuffix(c) ?? false) { deduplicated.append(c) }
        let human = deduplicated.filter { $0 != hiddenFromHumanId }
        let readable = String(human.map(alphanumeric).joined().prefix(maxHumanLength))
        return readable + hash(components)
    }

    static func hash(_ components: [String]) -> String {
        hex(Insecure.MD5.hash(data: Data(components.joined(separator: "/").utf8)).prefix(4), digits: upperDigits)
    }

    static let upperDigits = Array("0123456789ABCDEF".utf8), lowerDigits = Array("0123456789abcdef".utf8)

    /// Hex of `bytes` (String(format:) costs a formatter per byte, and synth makes thousands).
    static func hex<S: Sequence>(_ bytes: S, digits: [UInt8]) -> String where S.Element == UInt8 {
        var out: [UInt8] = []
        for b in bytes {
            out.append(digits[Int(b >> 4)])
            out.append(digits[Int(b & 0xF)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    public static func alphanumeric(_ s: String) -> String {
        let bytes = s.utf8.filter { (0x61...0x7A).contains($0) || (0x41...0x5A).contains($0) || (0x30...0x39).contains($0) }
        return bytes.count == s.utf8.count ? s : String(decoding: bytes, as: UTF8.self)
    }

    /// Is `s` usable as a logical ID (`[A-Za-z0-9]+`, ≤ 255)?
    public static func isValid(_ s: String) -> Bool {
        !s.isEmpty && s.count <= maxLength && alphanumeric(s) == s
    }
}

/// A short, stable digest for names that must be shortened deterministically.
public enum StableHash {
    /// First 8 hex digits (lower-case) of the MD5 of `s`.
    public static func hex8(_ s: String) -> String {
        LogicalId.hex(Insecure.MD5.hash(data: Data(s.utf8)).prefix(4), digits: LogicalId.lowerDigits)
    }
}
