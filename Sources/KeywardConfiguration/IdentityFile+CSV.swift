import Foundation
import KeywardCore

extension IdentityFile {
    /// Reads CSV text whose first row names the columns.
    static func readCSV(
        _ text: String, file: String, progress: (@Sendable (Int, Int) -> Void)?
    ) throws(RowError) -> Result {
        let records = CSVRecord.records(in: text)
        guard let headerRecord = records.first else {
            throw RowError(file: file, line: 1, message: "the file is empty; its first line must name the columns, at least `username`")
        }
        let columns = try Column.header(headerRecord, file: file)
        var collector = RowCollector(file: file, total: records.count - 1, progress: progress)
        for record in records.dropFirst() {
            var problems: [String] = []
            if let problem = record.problem {
                problems.append(problem)
            }
            if record.cells.count > columns.count {
                problems.append(
                    "the row has \(record.cells.count) cells but the header names \(columns.count) columns; "
                        + "put a cell that contains a comma in double quotes")
            }
            var identity = Identity(username: "")
            for (column, cell) in zip(columns, record.cells) where !cell.isEmpty {
                switch column {
                case .field(let field): field.set(cell, in: &identity)
                case .attribute(let name): identity.attributes[name] = cell
                }
            }
            collector.add(identity, line: record.line, problems: problems)
        }
        return collector.finish()
    }

    /// What a CSV column holds.
    enum Column: Hashable {
        /// A field of ``Identity``.
        case field(Field)
        /// A free attribute with the column's name.
        case attribute(String)

        /// The names that mean each field, lowercased: the field's own name
        /// in any case, and its snake_case spelling.
        private static let fieldNames: [String: Field] = {
            var names: [String: Field] = [:]
            for field in Field.allCases {
                names[field.rawValue.lowercased()] = field
            }
            names["given_name"] = .givenName
            names["family_name"] = .familyName
            names["manager_email"] = .managerEmail
            return names
        }()

        /// The field's name, or the attribute's.
        var name: String {
            switch self {
            case .field(let field): field.rawValue
            case .attribute(let name): name
            }
        }

        /// The column named `name`.
        init(named name: String) {
            self = Self.fieldNames[name.lowercased()].map { .field($0) } ?? .attribute(name)
        }

        /// The columns that the header row names; throws when the header is
        /// unusable, since every row is read through it.
        static func header(_ record: CSVRecord, file: String) throws(RowError) -> [Column] {
            func refuse(_ message: String) -> RowError {
                RowError(file: file, line: record.line, message: message)
            }
            if let problem = record.problem {
                throw refuse("the header: \(problem)")
            }
            let names = record.cells.map { $0.trimmingCharacters(in: .whitespaces) }
            if let secret = names.first(where: IdentityFile.looksSecret) {
                throw refuse("column `\(secret)` looks like a secret; identity files carry no passwords — remove the column")
            }
            if let empty = names.firstIndex(of: "") {
                throw refuse("column \(empty + 1) of the header has no name; name it or remove the column")
            }
            var columns: [Column] = []
            var firstNames: [Column: String] = [:]
            for name in names {
                let column = Column(named: name)
                if let first = firstNames[column] {
                    throw refuse(
                        first == name
                            ? "column `\(name)` appears twice in the header; keep one"
                            : "columns `\(first)` and `\(name)` both mean `\(column.name)`; keep one")
                }
                firstNames[column] = name
                columns.append(column)
            }
            guard columns.contains(.field(.username)) else {
                throw refuse(
                    "no `username` column; the header has \(NameSuggestion.list(names)) "
                        + "(the first line must name the columns)")
            }
            return columns
        }
    }
}

// The bytes that structure CSV, as literals so that the scan's hot loop
// reads constants rather than lazily initialised globals.
private let comma: UInt8 = 0x2C
private let quote: UInt8 = 0x22
private let lineFeed: UInt8 = 0x0A
private let carriageReturn: UInt8 = 0x0D

/// One row of a CSV file (RFC 4180): its cells and the line where it starts.
struct CSVRecord {
    /// The 1-based line where the row starts.
    var line: Int
    /// The cells, unquoted.
    var cells: [String]
    /// What is wrong with the row's quoting, if anything.
    var problem: String?

    /// The rows of `text`, skipping a UTF-8 byte order mark and blank rows
    /// (spreadsheets write those as a line of commas).
    ///
    /// Rows end at LF, CRLF or CR; a quoted cell may hold commas, line
    /// breaks and doubled quotes. The scan goes byte by byte over the UTF-8
    /// (the bytes it looks for are ASCII, so they never occur inside a
    /// multi-byte character), which keeps it linear in the file's size.
    static func records(in text: String) -> [CSVRecord] {
        var text = text
        return text.withUTF8 { bytes in
            var scanner = Scanner(bytes: bytes)
            if bytes.starts(with: [0xEF, 0xBB, 0xBF]) {
                scanner.index = 3
            }
            var records: [CSVRecord] = []
            while let record = scanner.nextRecord() {
                if record.problem != nil || !record.cells.allSatisfy(\.isEmpty) {
                    records.append(record)
                }
            }
            return records
        }
    }

    /// The state of a scan over a file's bytes.
    private struct Scanner {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0
        var line = 1
        /// The bytes of the quoted cell being read.
        var cell: [UInt8] = []

        init(bytes: UnsafeBufferPointer<UInt8>) {
            self.bytes = bytes
        }

        /// The next row, or nil at the end of the file.
        mutating func nextRecord() -> CSVRecord? {
            guard index < bytes.count else { return nil }
            var record = CSVRecord(line: line, cells: [], problem: nil)
            while true {
                let (text, problem) = index < bytes.count && bytes[index] == quote ? quotedCell() : plainCell()
                record.cells.append(text)
                if record.problem == nil {
                    record.problem = problem
                }
                guard index < bytes.count, bytes[index] == comma else { break }
                index += 1
            }
            if index < bytes.count {
                lineBreak()
            }
            return record
        }

        /// A cell without quotes: up to the next comma or line break.
        private mutating func plainCell() -> (String, String?) {
            let start = index
            var problem: String?
            while index < bytes.count {
                let byte = bytes[index]
                if endsCell(byte) { break }
                if byte == quote, problem == nil {
                    problem = "a `\"` inside a cell that does not start with one; "
                        + "put the whole cell in double quotes and double the `\"` inside it"
                }
                index += 1
            }
            return (String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self), problem)
        }

        /// A cell in double quotes, where `""` stands for one `"`.
        private mutating func quotedCell() -> (String, String?) {
            let openingLine = line
            index += 1
            cell.removeAll(keepingCapacity: true)
            var closed = false
            while index < bytes.count {
                let byte = bytes[index]
                if byte == quote {
                    if index + 1 < bytes.count, bytes[index + 1] == quote {
                        cell.append(quote)
                        index += 2
                        continue
                    }
                    index += 1
                    closed = true
                    break
                }
                if byte == lineFeed || (byte == carriageReturn && !(index + 1 < bytes.count && bytes[index + 1] == lineFeed)) {
                    line += 1
                }
                cell.append(byte)
                index += 1
            }
            var problem: String?
            if !closed {
                problem = "the `\"` that opens a cell at line \(openingLine) is never closed, so the rest of the file "
                    + "was read as that cell; close it with another `\"`"
            } else if index < bytes.count, !endsCell(bytes[index]) {
                problem = "text after the `\"` that closes a cell; put the whole cell in double quotes "
                    + "and double the `\"` inside it"
                while index < bytes.count, !endsCell(bytes[index]) {
                    cell.append(bytes[index])
                    index += 1
                }
            }
            return (String(decoding: cell, as: UTF8.self), problem)
        }

        /// Whether `byte` is a comma or a line break, which end a cell.
        private func endsCell(_ byte: UInt8) -> Bool {
            byte == comma || byte == lineFeed || byte == carriageReturn
        }

        /// Steps over the LF, CRLF or CR at `index`.
        private mutating func lineBreak() {
            if bytes[index] == carriageReturn, index + 1 < bytes.count, bytes[index + 1] == lineFeed {
                index += 1
            }
            index += 1
            line += 1
        }
    }
}
