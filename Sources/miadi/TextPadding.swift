extension String {
    /// Right-aligns in a column of `width` characters (tables the commands print).
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: " ", count: width - count) + self }
}
