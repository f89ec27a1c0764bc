/// What every figure runs: one realistic chunk, one input and one small context.
enum Workload {
    /// The chunk, byte for byte the same for Keyward and for the bare loop.
    /// In Keyward `attributeValue` is a GuardedString handle; in the bare loop
    /// it is a plain string, so `:upper()` is the string method.
    static let chunk = #"if attributeValue == nil then return nil end return "X" .. attributeValue:upper()"#

    /// The input secret (16 bytes).
    static let input = "Secret1!Secret1!"

    /// What the chunk returns for ``input``.
    static let expected = "X" + input.uppercased()

    /// The script's id in Keyward's errors.
    static let scriptID = "bench/prefix-upper.lua"
}
