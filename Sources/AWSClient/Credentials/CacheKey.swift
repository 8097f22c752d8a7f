import Crypto
import Foundation

/// The AWS CLI names its cache files (SSO tokens, assumed-role credentials) by a SHA-1 hex
/// digest; using the same keys lets tsdeploy and the CLI share those caches.
enum CacheKey {
    static func sha1(_ text: String) -> String {
        Insecure.SHA1.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
}
