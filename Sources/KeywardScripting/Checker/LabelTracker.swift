/// Lua 5.4's rules for `goto`, labels and `break` (after `lparser.c`), in
/// time linear in the size of the chunk whatever the number of labels.
///
/// A goto to a visible label of the same function is a backward jump and
/// always fine. Any other goto stays pending until a label of that name is
/// defined in its block or an enclosing one, which must not put the goto
/// into the scope of a local declared in between; a label at the end of its
/// block counts as outside the block's locals. A `break` is a pending jump
/// that its loop solves. Whatever is pending when its function ends is an
/// error.
struct LabelTracker {
    private struct Label {
        var name: String
        var position: LuaSourcePosition
    }

    private struct Jump {
        /// The label, or `nil` for `break`.
        var label: String?
        var position: LuaSourcePosition
        /// How many locals of its function were active at the jump (lowered
        /// as the jump leaves blocks).
        var activeLocals: Int
        var isResolved = false
    }

    private var labels: [Label] = []
    /// Visible labels by name, most recent last (indexes into `labels`).
    private var labelsByName: [String: [Int]] = [:]
    private var jumps: [Jump] = []
    /// Unresolved gotos by label name, most recent last (indexes into `jumps`).
    private var pendingByLabel: [String: [Int]] = [:]

    /// Where the labels of a new block or function will start.
    var labelCount: Int { labels.count }

    /// Where the jumps of a new block or function will start.
    var jumpCount: Int { jumps.count }

    /// A `goto`: solved at once by a visible label of the current function,
    /// pending otherwise.
    mutating func addGoto(_ label: LuaIdentifier, at position: LuaSourcePosition, activeLocals: Int, functionStart: Int)
    {
        if let visible = labelsByName[label.name]?.last, visible >= functionStart { return }
        pendingByLabel[label.name, default: []].append(jumps.count)
        jumps.append(Jump(label: label.name, position: position, activeLocals: activeLocals))
    }

    /// A `break`, solved when its loop ends.
    mutating func addBreak(at position: LuaSourcePosition, activeLocals: Int) {
        jumps.append(Jump(label: nil, position: position, activeLocals: activeLocals))
    }

    /// A label: an error when a visible label of the function has its name,
    /// or when a pending goto of the block would jump into a local's scope.
    ///
    /// - Parameters:
    ///   - activeLocals: The locals the label counts as in the scope of.
    ///   - localName: The name of the function's active local at an index.
    mutating func defineLabel(
        _ name: LuaIdentifier,
        activeLocals: Int,
        functionStart: Int,
        blockFirstJump: Int,
        localName: (Int) -> String
    ) throws(LuaSyntaxError) {
        if let visible = labelsByName[name.name]?.last, visible >= functionStart {
            throw LuaSyntaxError(
                message: "label '\(name.name)' already defined on line \(labels[visible].position.line)",
                position: name.position
            )
        }
        labelsByName[name.name, default: []].append(labels.count)
        labels.append(Label(name: name.name, position: name.position))
        // The block's pending gotos to this label sit at the end of the list;
        // like Lua, check them in source order. (The list is taken out of the
        // dictionary so that it is changed in place, not copied.)
        var pending = pendingByLabel.removeValue(forKey: name.name) ?? []
        var first = pending.count
        while first > 0, pending[first - 1] >= blockFirstJump {
            first -= 1
        }
        for index in pending[first...] {
            let jump = jumps[index]
            if jump.activeLocals < activeLocals {
                throw LuaSyntaxError(
                    message: "<goto \(name.name)> at line \(jump.position.line) jumps into the scope of local "
                        + "'\(localName(jump.activeLocals))'",
                    position: jump.position
                )
            }
            jumps[index].isResolved = true
        }
        pending.removeLast(pending.count - first)
        pendingByLabel[name.name] = pending
    }

    /// The end of a loop: its pending breaks jump to here.
    mutating func solveBreaks(from firstJump: Int) {
        for index in firstJump..<jumps.count where jumps[index].label == nil {
            jumps[index].isResolved = true
        }
        while jumps.count > firstJump, jumps[jumps.count - 1].isResolved {
            jumps.removeLast()
        }
    }

    /// The end of a block inside a function: its labels disappear and its
    /// pending jumps now leave from the enclosing block.
    mutating func closeBlock(firstLabel: Int, firstJump: Int, activeAtEntry: Int) {
        removeLabels(from: firstLabel)
        for index in firstJump..<jumps.count where !jumps[index].isResolved {
            jumps[index].activeLocals = min(jumps[index].activeLocals, activeAtEntry)
        }
    }

    /// The end of a function: anything still pending is an error.
    mutating func closeFunction(firstLabel: Int, firstJump: Int) throws(LuaSyntaxError) {
        removeLabels(from: firstLabel)
        if let pending = jumps[firstJump...].first(where: { !$0.isResolved }) {
            let line = pending.position.line
            let message =
                pending.label.map { "no visible label '\($0)' for <goto> at line \(line)" }
                ?? "break outside a loop at line \(line)"
            throw LuaSyntaxError(message: message, position: pending.position)
        }
        jumps.removeLast(jumps.count - firstJump)
    }

    private mutating func removeLabels(from firstLabel: Int) {
        while labels.count > firstLabel {
            let label = labels.removeLast()
            labelsByName[label.name]?.removeLast()
        }
    }
}
