/// Splits a SQL script into single statements (PostgresNIO's extended protocol runs one statement per query).
/// Understands single-quoted strings (including E'' escapes), double-quoted identifiers, dollar-quoted bodies
/// (`$$ … $$`, `$tag$ … $tag$`), `--` line comments and nested `/* */` comments.
public enum SQLScript {
    /// The statements of `script`, trimmed, without empty ones or the terminating semicolons.
    public static func statements(_ script: String) throws(StoreError) -> [String] {
        let chars = Array(script.unicodeScalars)
        var statements: [String] = []
        var current = String.UnicodeScalarView()
        var i = 0
        var line = 1
        func flush() {
            let text = String(current).trimmingWhitespace()
            if !text.isEmpty && !isOnlyComments(text) { statements.append(text) }
            current = String.UnicodeScalarView()
        }
        while i < chars.count {
            let c = chars[i]
            let next: Unicode.Scalar? = i + 1 < chars.count ? chars[i + 1] : nil
            if c == "\n" { line += 1 }
            switch c {
            case "'", "\"":
                let start = line
                let escapes = c == "'" && i > 0 && (chars[i - 1] == "E" || chars[i - 1] == "e")
                current.append(c)
                i += 1
                var closed = false
                while i < chars.count {
                    let d = chars[i]
                    current.append(d)
                    if d == "\n" { line += 1 }
                    if escapes && d == "\\" && i + 1 < chars.count {
                        current.append(chars[i + 1])
                        i += 2
                        continue
                    }
                    i += 1
                    if d == c {
                        if i < chars.count && chars[i] == c {  // doubled quote
                            current.append(chars[i])
                            i += 1
                            continue
                        }
                        closed = true
                        break
                    }
                }
                guard closed else { throw StoreError(.invalidSchema, "the quote opened on line \(start) is never closed") }
                continue
            case "-" where next == "-":
                while i < chars.count && chars[i] != "\n" { current.append(chars[i]); i += 1 }
                continue
            case "/" where next == "*":
                let start = line
                var depth = 0
                var closed = false
                while i < chars.count {
                    if chars[i] == "/" && i + 1 < chars.count && chars[i + 1] == "*" {
                        depth += 1; current.append("/"); current.append("*"); i += 2; continue
                    }
                    if chars[i] == "*" && i + 1 < chars.count && chars[i + 1] == "/" {
                        depth -= 1; current.append("*"); current.append("/"); i += 2
                        if depth == 0 { closed = true; break }
                        continue
                    }
                    if chars[i] == "\n" { line += 1 }
                    current.append(chars[i]); i += 1
                }
                guard closed else { throw StoreError(.invalidSchema, "the comment opened on line \(start) is never closed") }
                continue
            case "$":
                // A dollar quote: $tag$ where tag is empty or an identifier not starting with a digit.
                var j = i + 1
                while j < chars.count, chars[j].properties.isAlphabetic || chars[j] == "_" || (j > i + 1 && ("0"..."9").contains(chars[j])) { j += 1 }
                if j < chars.count && chars[j] == "$" {
                    let tag = Array(chars[i...j])
                    let start = line
                    for s in tag { current.append(s) }
                    i = j + 1
                    var closed = false
                    while i < chars.count {
                        if chars[i] == "$" && i + tag.count <= chars.count && Array(chars[i..<i + tag.count]) == tag {
                            for s in tag { current.append(s) }
                            i += tag.count
                            closed = true
                            break
                        }
                        if chars[i] == "\n" { line += 1 }
                        current.append(chars[i]); i += 1
                    }
                    guard closed else { throw StoreError(.invalidSchema, "the dollar-quoted body opened on line \(start) is never closed") }
                    continue
                }
            case ";":
                flush()
                i += 1
                continue
            default:
                break
            }
            current.append(c)
            i += 1
        }
        flush()
        return statements
    }

    private static func isOnlyComments(_ text: String) -> Bool {
        text.split(separator: "\n").allSatisfy { $0.trimmingWhitespace().isEmpty || $0.trimmingWhitespace().hasPrefix("--") }
    }
}

extension StringProtocol {
    func trimmingWhitespace() -> String {
        guard let first = firstIndex(where: { !$0.isWhitespace }), let last = lastIndex(where: { !$0.isWhitespace }) else { return "" }
        return String(self[first...last])
    }
}
