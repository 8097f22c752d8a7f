import AWSClient
import ArgumentParser
import ConstructCore
import Foundation
import TsdatApp

/// Terminal output. Results go to stdout, everything else (progress, warnings, errors) to
/// stderr, so `tsdeploy synth > template.yaml` captures only the template.
public enum Console {
    public static func stdout(_ s: String) {
        FileHandle.standardOutput.write(Data(s.utf8))
    }

    public static func stderr(_ s: String) {
        FileHandle.standardError.write(Data((s.hasSuffix("\n") ? s : s + "\n").utf8))
    }

    static var colors: Bool {
        isatty(2) == 1 && ProcessInfo.processInfo.environment["NO_COLOR"] == nil
    }

    static func paint(_ s: String, _ code: String) -> String { colors ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    static func printWarnings(_ warnings: [String]) {
        for w in warnings { stderr(paint(w, "33")) }
    }

    /// Runs `body`; known errors are printed as messages (never a raw dump) and end the
    /// command with exit code 1.
    public static func runReportingErrors<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch {
            throw report(error)
        }
    }

    public static func runReportingErrors<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch {
            throw report(error)
        }
    }

    /// Prints a known error as a message with what to do about it; returns the exit to throw.
    static func report(_ error: Error) -> Error {
        let message: String
        switch error {
        case let error as ExitCode: return error
        case is CancellationError: return ExitCode(130)
        case let error as ConfigErrors: message = error.description
        case let error as AWSError: message = "error: \(error.description)" + (error.hint.map { "\n  hint: \($0)" } ?? "")
        case let error as LayoutFileError: message = "error: \(error.description)"
        case let error as BuildPlanError: message = "error: \(error.message)" + (error.hint.map { "\n  hint: \($0)" } ?? "")
        case let error as CredentialError: message = "error: \(error.message)" + (error.hint.map { "\n  hint: \($0)" } ?? "")
        case let error as CustomStringConvertible: message = "error: \(error.description)"
        default: message = "error: \(error)"
        }
        stderr(paint(message, "31"))
        return ExitCode(1)
    }
}
