import Foundation
import KeywardTestSupport
import Testing

/// The seeds' matrix, one test case per cell: which password operation each
/// system type allows. Each cell is asked for through the command line on a
/// configuration with one system of each type (nothing is reachable, and
/// nothing needs to be: requests are only queued, `--no-wait`). A `yes`
/// cell queues an operation for that system; a `no` cell is refused with
/// status 2, a message naming the system, the operation and what the
/// system supports, and nothing queued.
@Suite("The capability matrix, cell by cell", .offThePool)
struct CapabilityMatrixTests {
    struct Cell: Sendable, CustomTestStringConvertible {
        let type: String
        let operation: String
        let allowed: Bool

        var testDescription: String { "\(type) × \(operation): \(allowed ? "yes" : "no")" }
    }

    /// DESIGN.md's table, written out again here on purpose: the test must
    /// fail if the code's matrix drifts from the seeds'.
    static let cells: [Cell] = {
        let table: [(String, [Bool])] = [
            ("ad", [true, true, true, true]),
            ("ldap", [true, true, true, true]),
            ("entra", [true, false, true, false]),
            ("servicenow", [true, false, false, false]),
        ]
        let operations = ["initialize", "change", "reset", "unlock"]
        return table.flatMap { type, row in
            zip(operations, row).map { Cell(type: type, operation: $0, allowed: $1) }
        }
    }()

    @Test(arguments: cells)
    func requestTime(_ cell: Cell) throws {
        let fixture = try MatrixFixture()
        // The account every operation but initialize stands on.
        if cell.operation != "initialize" {
            try fixture.insertAccount(system: cell.type)
        }
        let result = try fixture.request(cell.operation, on: cell.type)
        let queued = try fixture.queuedCount(system: cell.type)
        if cell.allowed {
            #expect(result.status == 0, "\(result)")
            #expect(queued >= 1, "\(result)")
        } else {
            #expect(result.status == 2, "\(result)")
            #expect(
                result.stderr.contains("system '\(cell.type)' (type \(cell.type)) does not support \(cell.operation)"),
                "\(result)")
            #expect(result.stderr.contains("it supports: "), "\(result)")
            #expect(result.stderr.contains("Nothing was queued"), "\(result)")
            #expect(queued == 0, "\(result)")
        }
    }

    /// At load time: a connector file cannot widen (or narrow) a fixed type's row.
    @Test(arguments: ["ad", "ldap", "entra", "servicenow"])
    func configurationTimeRefusesAnOperationsKeyOnAFixedType(_ type: String) throws {
        let fixture = try MatrixFixture(extra: [type: "operations: initialize, change, reset, unlock"], prepare: false)
        let result = try fixture.run("config", "check")
        #expect(result.status != 0, "\(result)")
        #expect(result.allOutput.contains("connectors/\(type).yaml"), "\(result)")
        let row = Self.cells.filter { $0.type == type && $0.allowed }.map(\.operation).joined(separator: ", ")
        #expect(
            result.allOutput.contains("`operations` cannot be set for type \(type): its password operations are fixed (\(row))"),
            "\(result)")
    }
}
