import Foundation

/// Formatting of the printed report.
enum Report {
    static func ns(_ value: Double) -> String { String(format: "%.0f ns", value) }
    static func ratio(_ value: Double) -> String { String(format: "%.2f×", value) }
    static func ms(_ value: Double) -> String { String(format: "%.2f ms", value) }
    static func rate(_ callsPerSecond: Double) -> String { String(format: "%.3f M/s", callsPerSecond / 1e6) }

    /// `PASS` or `MISS` next to a goal, never rounded in our favour.
    static func verdict(_ met: Bool) -> String { met ? "PASS" : "MISS" }

    /// One table row: the first cell left-aligned, the others right-aligned,
    /// each in its column's width.
    static func row(_ cells: [String], _ widths: [Int]) -> String {
        var line = zip(cells, widths).enumerated().map { index, column in
            let (text, width) = column
            let padding = String(repeating: " ", count: max(0, width - text.count))
            return index == 0 ? text + padding : padding + text
        }.joined()
        while line.last == " " { line.removeLast() }
        return line
    }

    /// The values of one figure across rounds, for the detail lines.
    static func series(_ values: [Double]) -> String {
        values.map { String(format: "%5.2f", $0) }.joined(separator: " ")
    }

    /// The 1-, 5- and 15-minute load averages, to show how busy the machine was.
    static var loadAverage: String {
        let text = (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "?"
        return text.split(separator: " ").prefix(3).joined(separator: " ")
    }

    /// Threads of this process whose name starts with `prefix`.
    static func threadCount(named prefix: String) -> Int {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.filter { task in
            let name = try? String(contentsOfFile: "/proc/self/task/\(task)/comm", encoding: .utf8)
            return name?.hasPrefix(prefix) == true
        }.count
    }
}
