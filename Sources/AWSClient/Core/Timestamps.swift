import Foundation

/// The timestamp shapes AWS sends: ISO 8601 with or without fractional seconds (query and
/// rest-xml), epoch seconds (JSON 1.1, possibly fractional), and HTTP dates (`Date`).
public enum Timestamps {
    public static func iso8601(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: trimmed) { return date }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        if let date = plain.date(from: trimmed) { return date }
        // Some emulators omit the zone: read it as UTC.
        if !trimmed.hasSuffix("Z"), !trimmed.contains("+"), trimmed.count >= 19 {
            return iso8601(String(trimmed.prefix(19)) + "Z")
        }
        return nil
    }

    public static func iso8601String(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    public static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
