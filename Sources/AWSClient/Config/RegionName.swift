import Foundation

/// A region name as botocore accepts it. The region becomes part of every endpoint host
/// name, so an unchecked one (`x@127.0.0.1:8080/#`) would send signed requests, with the
/// key id and session token, to whatever host it names.
public enum RegionName {
    public static func isValid(_ name: String) -> Bool {
        let scalars = Array(name.unicodeScalars)
        guard (1...63).contains(scalars.count) else { return false }
        func alnum(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) || ("A"..."Z").contains(c) || ("0"..."9").contains(c) }
        return alnum(scalars.first!) && alnum(scalars.last!) && scalars.allSatisfy { alnum($0) || $0 == "-" }
    }

    public static func validate(_ name: String, source: String) throws {
        guard !isValid(name) else { return }
        throw CredentialError("the region '\(EndpointURL.printable(name))' (from \(source)) is not a region name",
                              hint: "a region looks like us-west-2; fix \(source)")
    }
}

/// A configured endpoint URL, checked before anything is sent to it: http or https, a
/// host, a port that exists, no credentials, query or fragment.
public enum EndpointURL {
    public static func problem(_ url: String) -> String? {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased() else {
            return "it is not a URL"
        }
        guard scheme == "http" || scheme == "https" else { return "the scheme is \(scheme); only http and https work" }
        guard let host = components.host, !host.isEmpty else { return "it has no host" }
        if components.user != nil || components.password != nil { return "it holds a user name or password" }
        if let port = components.port, !(1...65535).contains(port) { return "the port \(port) is not between 1 and 65535" }
        if url.contains("?") || url.contains("#") { return "it has a query or fragment" }
        return nil
    }

    public static func validate(_ endpoint: ResolvedEndpoint) throws {
        guard let problem = problem(endpoint.url) else { return }
        throw CredentialError("the endpoint \(redacted(endpoint.url)) (from \(endpoint.source)) is not usable: \(problem)",
                              hint: "fix \(endpoint.source), e.g. http://127.0.0.1:5000 for a local emulator")
    }

    /// The URL with any user name and password replaced, for printing.
    public static func redacted(_ url: String) -> String {
        guard let schemeEnd = url.range(of: "://") else { return printable(url) }
        let rest = url[schemeEnd.upperBound...]
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        guard let at = rest[..<authorityEnd].lastIndex(of: "@") else { return printable(url) }
        return printable(String(url[..<schemeEnd.upperBound]) + "***@" + String(rest[rest.index(after: at)...]))
    }

    /// Without control characters, and short.
    static func printable(_ s: String) -> String {
        let cleaned = String(String.UnicodeScalarView(s.unicodeScalars.map { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) ? "?" : $0 }))
        return cleaned.count > 120 ? String(cleaned.prefix(119)) + "…" : cleaned
    }
}
