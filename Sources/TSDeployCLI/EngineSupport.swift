import AWSClient
import ArgumentParser
import ConstructCore
import DeployEngine
import Foundation

/// What the AWS-facing commands share: synthesize and select stacks, pick a reporter for
/// the terminal or a log, ask questions only where someone can answer.
enum EngineSupport {
    static func stacks(_ options: ConfigOptions) throws -> [DeployableStack] {
        try selection(options).selected.map(DeployableStack.init)
    }

    /// The synthesized stacks, all and the `--stack` selection, in deployment order.
    static func selection(_ options: ConfigOptions) throws -> (selected: [StackArtifact], all: [StackArtifact]) {
        let s = try synthesis(options)
        return (s.selected, s.all)
    }

    static func synthesis(_ options: ConfigOptions) throws -> (selected: [StackArtifact], all: [StackArtifact], result: SynthPipeline.Result) {
        let result = try SynthPipeline(configPath: options.config, branch: options.branch).run()
        Console.printWarnings(result.warnings)
        let selected = try SynthPipeline.select(result.artifacts, names: options.stacks)
        return (StackArtifact.deploymentOrder(selected), StackArtifact.deploymentOrder(result.artifacts), result)
    }

    static var interactive: Bool { isatty(0) == 1 && isatty(2) == 1 }

    static func reporter() -> any DeployReporter {
        let write: @Sendable (String) -> Void = { Console.stderr($0) }
        guard interactive, ProcessInfo.processInfo.environment["CI"] == nil else { return LineReporter(color: Console.colors, write: write) }
        let live = LiveReporter(columns: { terminalColumns() ?? 80 }, write: write)
        liveReporter = live
        // Once a second, so elapsed time advances while CloudFormation is quiet; ends with the process.
        Task.detached {
            while true {
                try? await Task.sleep(nanoseconds: 1_000_000_000)
                live.tick()
            }
        }
        return live
    }
    nonisolated(unsafe) static var liveReporter: LiveReporter?

    /// The width of the terminal on stderr, read anew each time (it may be resized).
    static func terminalColumns() -> Int? {
        var size = winsize()
        guard ioctl(2, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0 else { return nil }
        return Int(size.ws_col)
    }

    /// A yes/no question on the terminal; nil without one (callers then need a flag). The
    /// live view stops redrawing while it waits, so the prompt stays on screen.
    static var confirm: (@Sendable (String) async -> Bool)? {
        guard interactive else { return nil }
        return { question in
            let ask = { () -> String in
                FileHandle.standardError.write(Data(question.utf8))
                return readLine()?.trimmingCharacters(in: .whitespaces).lowercased() ?? ""
            }
            let answer = liveReporter?.suspend(ask) ?? ask()
            return answer == "y" || answer == "yes"
        }
    }

    /// Whether to go on with a command that changes the account: yes with `--force`, else the
    /// answer on the terminal; without one, an error naming `--force`. Says `declined` on a no.
    static func proceed(force: Bool, question: String, needs: String, hint: String, declined: String) async throws -> Bool {
        if force { return true }
        guard let confirm else { throw CLIError("\(needs) and needs confirmation, but there is no terminal to ask on", hint: hint) }
        if await confirm(question) { return true }
        Console.stderr(declined)
        return false
    }

    /// `KEY=VALUE` pairs from repeatable flags.
    static func pairs(_ items: [String], flag: String) throws -> [(String, String)] {
        try items.map { item in
            guard let eq = item.firstIndex(of: "="), eq != item.startIndex else {
                throw CLIError("\(flag) takes KEY=VALUE, got '\(item)'")
            }
            return (String(item[..<eq]), String(item[item.index(after: eq)...]))
        }
    }

    /// Ctrl-C or SIGTERM stops waiting, not CloudFormation. Change sets not yet executed
    /// are deleted first (a later deploy would trip over them); then the message says what
    /// CloudFormation carries on with, if anything, and how to follow it. A second signal
    /// exits at once.
    static func onInterrupt(branch: String?) {
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler {
                guard interrupted.markFirst() else { exit(sig == SIGINT ? 130 : 143) }
                Task.detached {
                    let cleaned = await InFlight.shared.runCleanups(timeout: 10)
                    let started = InFlight.shared.startedStacks
                    var text = "\nInterrupted."
                    if !cleaned.isEmpty { text += " Deleted " + cleaned.joined(separator: ", ") + "." }
                    if started.isEmpty {
                        text += " No change was started in CloudFormation."
                    } else {
                        text += " CloudFormation carries on with \(started.joined(separator: ", ")); follow it with "
                            + "`tsdeploy ls\(branch.map { " \($0)" } ?? "")` or `aws cloudformation describe-stack-events --stack-name \(started[0])`."
                    }
                    Console.stderr(text)
                    exit(sig == SIGINT ? 130 : 143)
                }
            }
            source.resume()
            signalSources.append(source)
        }
    }
    nonisolated(unsafe) static var signalSources: [any DispatchSourceSignal] = []
    static let interrupted = Once()

    final class Once: @unchecked Sendable {
        private let lock = NSLock()
        private var fired = false
        func markFirst() -> Bool { lock.withLock { defer { fired = true }; return !fired } }
    }

    /// The stacks to delete for a selection: every stack that depends on a selected one is
    /// deleted first, or it would be left pointing at deleted roles and repositories.
    static func withDependents(_ selected: [StackArtifact], all: [StackArtifact]) -> (stacks: [StackArtifact], added: [String]) {
        var names = Set(selected.map(\.stackName))
        var added: [String] = []
        var grew = true
        while grew {
            grew = false
            for a in all where !names.contains(a.stackName) && a.dependencies.contains(where: names.contains) {
                names.insert(a.stackName)
                added.append(a.stackName)
                grew = true
            }
        }
        return (all.filter { names.contains($0.stackName) }, added)
    }
}

extension DeployOptions.Approval: ExpressibleByArgument {}
