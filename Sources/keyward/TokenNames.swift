import Foundation
import KeywardServer

/// Checks of `keyward token create`'s options.
enum TokenNames {
    /// 1 to 64 of letters, digits, `.`, `_`, `-`.
    static func isValid(_ name: String) -> Bool {
        (1...64).contains(name.count)
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
    }

    /// The scopes named, at least one, each known.
    static func scopes(_ names: [String]) throws(CommandError) -> [APIScope] {
        let known = APIScope.allCases.map(\.rawValue).joined(separator: ", ")
        guard !names.isEmpty else { throw CommandError("give at least one --scope: \(known)") }
        var scopes: [APIScope] = []
        for name in names {
            guard let scope = APIScope(rawValue: name) else { throw CommandError("--scope '\(name)' is not one of \(known)") }
            if !scopes.contains(scope) { scopes.append(scope) }
        }
        return scopes
    }

    /// An age such as `30m`, `12h`, `90d`, `4w`, in seconds.
    static func seconds(_ text: String) throws(CommandError) -> TimeInterval {
        let units: [Character: Double] = ["m": 60, "h": 3600, "d": 86_400, "w": 604_800]
        guard let unit = text.last, let factor = units[unit], let count = Int(text.dropLast()), count > 0 else {
            throw CommandError("--expires-in '\(text)' is not an age such as 30m, 12h, 90d or 4w")
        }
        return Double(count) * factor
    }
}
