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
        } catch let error as ConfigErrors {
            stderr(paint(error.description, "31"))
            throw ExitCode(1)
        } catch let error as SynthesisError {
            stderr(paint("error: \(error.description)", "31"))
            throw ExitCode(1)
        } catch let error as CLIError {
            stderr(paint("error: \(error.description)", "31"))
            throw ExitCode(1)
        } catch let error as ExitCode {
            throw error
        } catch let error as CustomStringConvertible {
            stderr(paint("error: \(error.description)", "31"))
            throw ExitCode(1)
        }
    }
}
