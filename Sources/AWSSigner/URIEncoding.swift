/// SigV4's UriEncode: every byte except `A-Za-z0-9-._~` (and `extraSafe`) as `%XX`,
/// upper-case hex; a space is `%20`, never `+`.
public enum URIEncoding {
    static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~".utf8))
    static let hex = Array("0123456789ABCDEF".utf8)

    public static func encode(_ s: String, keeping extraSafe: String = "") -> String {
        let safe = unreserved.union(extraSafe.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            if safe.contains(b) {
                out.append(b)
            } else {
                out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0xF)]]
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// An S3 object key as a path: every segment encoded, `/` kept.
    public static func encodePath(_ key: String) -> String { encode(key, keeping: "/") }

    /// `k=v&…` with both sides encoded, in the given order.
    public static func query(_ items: [(String, String)]) -> String {
        items.map { "\(encode($0.0))=\(encode($0.1))" }.joined(separator: "&")
    }

    /// A form body (`application/x-www-form-urlencoded`) byte for byte as botocore sends
    /// one (Python's urlencode): a space is `+`, every byte but `A-Za-z0-9-._~` is `%XX`.
    /// Servers that verify a signature over the form they re-encode (moto) need exactly
    /// this, not SigV4's `%20`.
    public static func form(_ items: [(String, String)]) -> String {
        func plus(_ s: String) -> String {
            var out: [UInt8] = []
            out.reserveCapacity(s.utf8.count)
            for b in s.utf8 {
                if unreserved.contains(b) {
                    out.append(b)
                } else if b == UInt8(ascii: " ") {
                    out.append(UInt8(ascii: "+"))
                } else {
                    out += [UInt8(ascii: "%"), hex[Int(b >> 4)], hex[Int(b & 0xF)]]
                }
            }
            return String(decoding: out, as: UTF8.self)
        }
        return items.map { plus($0.0) + "=" + plus($0.1) }.joined(separator: "&")
    }
}
