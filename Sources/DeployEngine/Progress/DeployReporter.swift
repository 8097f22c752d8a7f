import AWSClient
import Foundation

/// Where the engine tells what happens. The engine never prints: the CLI picks a line
/// reporter (CI logs) or a live one (terminals); tests record.
public protocol DeployReporter: Sendable {
    func info(_ stack: String, _ message: String)
    func warn(_ stack: String, _ message: String)
    func changes(_ stack: String, _ changes: [CloudFormation.ResourceChange])
    func event(_ stack: String, _ event: CloudFormation.StackEvent, progress: StackProgress)
    func finished(_ stack: String, _ message: String, success: Bool)
}

/// Counts for one stack operation, updated from its events.
public struct StackProgress: Sendable, Equatable {
    public var total: Int
    public var done: Int = 0
    public var inProgress: [String] = []
    public var status: String = ""
    public var started: Date

    public init(total: Int, started: Date = Date()) {
        self.total = total
        self.started = started
    }

    mutating func apply(_ event: CloudFormation.StackEvent, stackName: String) {
        if event.logicalId == stackName {
            status = event.status
            return
        }
        if event.status.hasSuffix("_IN_PROGRESS") {
            if !inProgress.contains(event.logicalId) { inProgress.append(event.logicalId) }
        } else {
            inProgress.removeAll { $0 == event.logicalId }
            if event.status.hasSuffix("_COMPLETE") { done = min(total, done + 1) }
        }
    }
}

/// One line per event, for logs and CI: `stack | time | status | type | logical id | reason`.
public final class LineReporter: DeployReporter, @unchecked Sendable {
    private let write: @Sendable (String) -> Void
    private let color: Bool
    private let lock = NSLock()

    public init(color: Bool = false, write: @escaping @Sendable (String) -> Void) {
        self.write = write
        self.color = color
    }

    func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    func emit(_ s: String) { lock.withLock { write(s) } }

    public func info(_ stack: String, _ message: String) { emit("\(stack) | \(message)") }
    public func warn(_ stack: String, _ message: String) { emit(paint("\(stack) | warning: \(message)", "33")) }

    public func changes(_ stack: String, _ changes: [CloudFormation.ResourceChange]) {
        emit("\(stack) | change set: \(changes.count) change\(changes.count == 1 ? "" : "s")")
        for c in changes {
            let mark = c.action == "Add" ? "[+]" : c.action == "Remove" ? "[-]" : "[~]"
            var line = "\(stack) |   \(mark) \(c.resourceType) \(c.logicalId)"
            if c.replacement == "True" { line += " (replace)" } else if c.replacement == "Conditional" { line += " (may be replaced)" }
            emit(line)
        }
    }

    public func event(_ stack: String, _ event: CloudFormation.StackEvent, progress: StackProgress) {
        let time = Self.time(event.timestamp)
        var line = "\(stack) | \(time) | \(progress.done)/\(progress.total) | \(statusColor(event.status)) | \(event.resourceType) | \(event.logicalId)"
        if let reason = event.statusReason, !reason.isEmpty, event.status.contains("FAILED") || event.status.contains("ROLLBACK") {
            line += " | " + reason
        }
        emit(line)
    }

    public func finished(_ stack: String, _ message: String, success: Bool) {
        emit(paint("\(stack) | \(success ? "✔" : "✘") \(message)", success ? "32" : "31"))
    }

    func statusColor(_ status: String) -> String {
        if status.contains("FAILED") || status.contains("ROLLBACK") { return paint(status, "31") }
        if status.hasSuffix("_COMPLETE") { return paint(status, "32") }
        return paint(status, "36")
    }

    static func time(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "HH:mm:ss"
        return formatter.string(from: date)
    }
}

/// A live view for terminals: per stack one status line (status, resources done/total,
/// what is in progress, elapsed time), redrawn in place; messages scroll above it.
/// Status lines are cut to the terminal's width so each takes exactly one row (a wrapped
/// line would leave rows the redraw does not erase); a question suspends the redraw.
public final class LiveReporter: DeployReporter, @unchecked Sendable {
    private let write: @Sendable (String) -> Void
    private let columns: @Sendable () -> Int
    private let lock = NSLock()
    private var order: [String] = []
    private var lines: [String: (progress: StackProgress?, text: String)] = [:]
    private var drawn = 0
    private var suspended = false

    public init(columns: @escaping @Sendable () -> Int = { 80 }, write: @escaping @Sendable (String) -> Void) {
        self.write = write
        self.columns = columns
    }

    private func erase() -> String { String(repeating: "\u{1B}[1A\u{1B}[2K", count: drawn) }

    private func redraw(printing message: String? = nil) {
        var out = erase()
        if let message { out += message + "\n" }
        drawn = 0
        guard !suspended else {
            if !out.isEmpty { write(String(out.dropLast())) }
            return
        }
        let width = max(20, columns())
        let now = Date()
        for stack in order {
            guard let entry = lines[stack] else { continue }
            var text: String
            if let p = entry.progress {
                let elapsed = Int(now.timeIntervalSince(p.started))
                let busy = p.inProgress.prefix(3).joined(separator: ", ") + (p.inProgress.count > 3 ? " +\(p.inProgress.count - 3)" : "")
                text = "\(p.status.isEmpty ? "starting" : p.status) [\(p.done)/\(p.total)] \(elapsed / 60)m\(String(format: "%02d", elapsed % 60))s"
                    + (busy.isEmpty ? "" : " – \(busy)")
            } else {
                text = entry.text
            }
            out += Self.fit(stack, text, width: width - 1) + "\n"
            drawn += 1
        }
        write(String(out.dropLast()))
    }

    /// `stack` in bold, then `text`, cut to `width` visible characters; escape sequences
    /// in `text` (colours) are kept whole and not counted.
    static func fit(_ stack: String, _ text: String, width: Int) -> String {
        var out = "\u{1B}[1m" + String(stack.prefix(width)) + "\u{1B}[0m"
        var used = min(stack.count, width)
        var inEscape = false
        var cut = false
        for c in " " + text {
            if c == "\u{1B}" { inEscape = true }
            if inEscape {
                out.append(c)
                if c.isLetter { inEscape = false }
                continue
            }
            if used >= width { cut = true; continue }
            if used == width - 1, text.count + stack.count + 1 > width { out.append("…"); used += 1; cut = true; continue }
            out.append(c)
            used += 1
        }
        return out + (cut ? "\u{1B}[0m" : "")
    }

    private func set(_ stack: String, progress: StackProgress?, text: String, message: String?) {
        lock.withLock {
            if !order.contains(stack) { order.append(stack) }
            lines[stack] = (progress, text)
            redraw(printing: message)
        }
    }

    /// Redraws so the elapsed time moves between events; nothing before the first stack.
    public func tick() { lock.withLock { if !order.isEmpty, !suspended { redraw() } } }

    /// Runs `body` (a question on the terminal) with the status lines erased and the redraw
    /// stopped, so nothing moves the cursor or clears the prompt while someone types.
    public func suspend<T>(_ body: () -> T) -> T {
        lock.withLock {
            suspended = true
            if drawn > 0 { write(erase() + "\u{1B}[1A") }
            drawn = 0
        }
        let result = body()
        lock.withLock {
            suspended = false
            if !order.isEmpty { redraw() }
        }
        return result
    }

    public func info(_ stack: String, _ message: String) { set(stack, progress: lines[stack]?.progress, text: message, message: nil) }
    public func warn(_ stack: String, _ message: String) {
        set(stack, progress: lines[stack]?.progress, text: lines[stack]?.text ?? "", message: "\u{1B}[33m\(stack): warning: \(message)\u{1B}[0m")
    }
    public func changes(_ stack: String, _ changes: [CloudFormation.ResourceChange]) {
        let text = changes.map { "  \($0.action == "Add" ? "[+]" : $0.action == "Remove" ? "[-]" : "[~]") \($0.resourceType) \($0.logicalId)" }
        set(stack, progress: nil, text: "change set ready", message: "\(stack): \(changes.count) change(s)\n" + text.joined(separator: "\n"))
    }
    public func event(_ stack: String, _ event: CloudFormation.StackEvent, progress: StackProgress) {
        let failed = event.status.contains("FAILED")
        set(stack, progress: progress, text: "", message: failed ? "\u{1B}[31m\(stack): \(event.logicalId) \(event.status): \(event.statusReason ?? "")\u{1B}[0m" : nil)
    }
    public func finished(_ stack: String, _ message: String, success: Bool) {
        set(stack, progress: nil, text: (success ? "\u{1B}[32m✔ " : "\u{1B}[31m✘ ") + message + "\u{1B}[0m", message: nil)
    }
}
