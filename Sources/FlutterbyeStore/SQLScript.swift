import Foundation

/// Splits a SQL script into single statements, because PostgresNIO 1.33 speaks only the extended query protocol,
/// which runs one statement per query (it has no simple-query message, and `simpleQuery` goes through `query`).
///
/// A semicolon ends a statement only outside single-quoted strings (with `''` doubling and `E'…\''` escapes),
/// double-quoted identifiers, dollar-quoted bodies (`$$ … $$`, `$tag$ … $tag$`), `--` comments and nested
/// `/* … */` comments. Parts that hold only comments and whitespace are dropped.
public enum SQLScript {
    /// One statement of a script.
    public struct Statement: Sendable, Equatable {
        /// The statement's text, trimmed, without its terminating semicolon (leading comments are kept).
        public var text: String
        /// The 1-based line of the script on which the statement's first code (not comment) character stands.
        public var line: Int
    }

    /// The statements of `script` in order; throws `invalidSchema` naming the line of an unterminated quote,
    /// comment or dollar-quoted body.
    public static func statements(_ script: String) throws(StoreError) -> [Statement] {
        let chars = Array(script.unicodeScalars)
        var statements: [Statement] = []
        var current = String.UnicodeScalarView()
        var codeLine: Int? = nil  // line of the current statement's first code character
        var line = 1
        var i = 0

        func flush() {
            if let codeLine {
                statements.append(Statement(text: String(current).trimmingCharacters(in: .whitespacesAndNewlines), line: codeLine))
            }
            current = String.UnicodeScalarView()
            codeLine = nil
        }
        func isIdentifierCharacter(_ c: Unicode.Scalar) -> Bool {
            c.properties.isAlphabetic || ("0"..."9").contains(c) || c == "_" || c == "$"
        }
        /// Appends chars[i] (counting lines) and advances.
        func take() {
            if chars[i] == "\n" { line += 1 }
            current.append(chars[i])
            i += 1
        }

        while i < chars.count {
            let c = chars[i]
            let next: Unicode.Scalar? = i + 1 < chars.count ? chars[i + 1] : nil
            let previous: Unicode.Scalar? = i > 0 ? chars[i - 1] : nil

            if c == "-" && next == "-" {  // line comment, up to (not including) the newline
                while i < chars.count && chars[i] != "\n" { take() }
                continue
            }
            if c == "/" && next == "*" {  // block comment, nestable
                let start = line
                var depth = 0
                while i < chars.count {
                    if chars[i] == "/" && i + 1 < chars.count && chars[i + 1] == "*" {
                        depth += 1
                        take()
                        take()
                    } else if chars[i] == "*" && i + 1 < chars.count && chars[i + 1] == "/" {
                        depth -= 1
                        take()
                        take()
                        if depth == 0 { break }
                    } else {
                        take()
                    }
                }
                guard depth == 0 else {
                    throw StoreError(.invalidSchema, "the /* comment opened on line \(start) is never closed: close it with */")
                }
                continue
            }
            if c == ";" {
                flush()
                i += 1
                continue
            }
            if !c.properties.isWhitespace && codeLine == nil { codeLine = line }

            if c == "'" || c == "\"" {
                let start = line
                // E'…' (escape string): the E must not be the end of a longer identifier such as `type'…'`.
                let escapes: Bool = {
                    guard c == "'", let previous, previous == "E" || previous == "e" else { return false }
                    return i < 2 || !isIdentifierCharacter(chars[i - 2])
                }()
                take()
                var closed = false
                while i < chars.count {
                    let d = chars[i]
                    if escapes && d == "\\" && i + 1 < chars.count {
                        take()
                        take()
                        continue
                    }
                    take()
                    if d == c {
                        if i < chars.count && chars[i] == c {  // a doubled quote stands for itself
                            take()
                            continue
                        }
                        closed = true
                        break
                    }
                }
                guard closed else {
                    let what = c == "'" ? "string (')" : "quoted identifier (\")"
                    throw StoreError(.invalidSchema, "the \(what) opened on line \(start) is never closed: add the closing quote")
                }
                continue
            }
            if c == "$" && !(previous.map(isIdentifierCharacter) ?? false) {
                // A dollar quote: $tag$ where tag is empty or an identifier that does not start with a digit
                // (`$1` is a parameter, and `a$b` is an identifier).
                var j = i + 1
                while j < chars.count,
                    chars[j].properties.isAlphabetic || chars[j] == "_" || (j > i + 1 && ("0"..."9").contains(chars[j]))
                {
                    j += 1
                }
                if j < chars.count && chars[j] == "$" {
                    let tag = Array(chars[i...j])
                    let start = line
                    for _ in tag { take() }
                    var closed = false
                    while i < chars.count {
                        if chars[i] == "$" && i + tag.count <= chars.count && chars[i..<(i + tag.count)].elementsEqual(tag) {
                            for _ in tag { take() }
                            closed = true
                            break
                        }
                        take()
                    }
                    guard closed else {
                        let name = String(String.UnicodeScalarView(tag))
                        throw StoreError(
                            .invalidSchema, "the dollar-quoted body \(name) opened on line \(start) is never closed: end it with \(name)")
                    }
                    continue
                }
            }
            take()
        }
        flush()
        return statements
    }
}
