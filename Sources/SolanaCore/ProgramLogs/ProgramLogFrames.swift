import Foundation

/// One log line of a transaction that belongs to a given program's own invocation: where it is in the transaction's
/// log, how deep the invocation is (1: called by the transaction, 2 and more: by another program), and its text.
public struct ProgramLogLine: Sendable, Hashable {
    /// The line's position in the transaction's whole log (lines of other programs are not counted out).
    public var index: Int
    /// The invocation depth, as the node's `invoke [n]` line gives it.
    public var depth: Int
    public var text: String

    public init(index: Int, depth: Int, text: String) {
        self.index = index
        self.depth = depth
        self.text = text
    }
}

/// The data a program logged with `sol_log_data` (a `Program data:` line, as Anchor's `emit!` writes its events):
/// the chunks decoded from base64 and joined, with the line's position and invocation depth.
public struct ProgramDataLine: Sendable, Hashable {
    public var index: Int
    public var depth: Int
    public var data: [UInt8]

    public init(index: Int, depth: Int, data: [UInt8]) {
        self.index = index
        self.depth = depth
        self.data = data
    }
}

/// Reads a transaction's log lines by invocation frame. The node writes `Program <id> invoke [n]` when a program
/// starts, `Program <id> success` or `Program <id> failed: …` when it ends, and every line between belongs to the
/// innermost program running. A program's own lines are those of its frames at any depth, the invoke and end lines
/// included; lines of programs it calls are theirs, not its own.
public enum ProgramLogFrames {
    /// The lines of `program`'s own frames, in log order.
    public static func ownLines(of program: PublicKey, in logs: [String]) -> [ProgramLogLine] {
        let id = program.base58
        var lines: [ProgramLogLine] = []
        walk(logs) { index, frame, text in
            if let frame, frame.program == id { lines.append(ProgramLogLine(index: index, depth: frame.depth, text: text)) }
        }
        return lines
    }

    /// The `Program data:` lines of `program`'s own frames whose chunks are all valid base64; others are left out
    /// (the line itself is among `ownLines`).
    public static func dataLines(of program: PublicKey, in logs: [String]) -> [ProgramDataLine] {
        let id = program.base58
        var lines: [ProgramDataLine] = []
        walk(logs) { index, frame, text in
            guard let frame, frame.program == id, text.hasPrefix(dataPrefix) else { return }
            var data: [UInt8] = []
            for chunk in text.dropFirst(dataPrefix.count).split(separator: " ") {
                guard let bytes = Data(base64Encoded: String(chunk)) else { return }
                data.append(contentsOf: bytes)
            }
            lines.append(ProgramDataLine(index: index, depth: frame.depth, data: data))
        }
        return lines
    }

    static let dataPrefix = "Program data: "

    struct Frame: Equatable {
        var program: Substring
        var depth: Int
    }

    /// Calls `visit` with each line and the frame it belongs to (nil outside every frame, or after the node
    /// truncated the log).
    static func walk(_ logs: [String], _ visit: (Int, Frame?, String) -> Void) {
        var stack: [Frame] = []
        var truncated = false
        for (index, text) in logs.enumerated() {
            if truncated {
                visit(index, nil, text)
                continue
            }
            let words = text.split(separator: " ", maxSplits: 3, omittingEmptySubsequences: false)
            if words.count >= 4, words[0] == "Program", isProgramID(words[1]), words[2] == "invoke", let depth = invokeDepth(words[3]) {
                let frame = Frame(program: words[1], depth: depth)
                stack.append(frame)
                visit(index, frame, text)
            } else if words.count >= 3, words[0] == "Program", isProgramID(words[1]), words[2] == "success" || words[2].hasPrefix("failed") {
                // The end of the innermost frame of that program; frames above it that never ended end with it.
                if let at = stack.lastIndex(where: { $0.program == words[1] }) {
                    visit(index, stack[at], text)
                    stack.removeSubrange(at...)
                } else {
                    visit(index, stack.last, text)
                }
            } else if text == "Log truncated" {
                truncated = true
                visit(index, nil, text)
            } else {
                visit(index, stack.last, text)
            }
        }
    }

    /// Whether `word` reads as a program id: 32 to 44 base58 characters. A program's own messages come as
    /// `Program log: …`, `Program data: …` or `Program return: …`, so they never pass for an invoke or end line.
    static func isProgramID(_ word: Substring) -> Bool {
        (32...44).contains(word.utf8.count) && word.utf8.allSatisfy { Base58.digit($0) >= 0 }
    }

    /// `[n]` with 1 ≤ n ≤ 64 (the runtime's limit is 5; anything else is not an invoke line).
    static func invokeDepth(_ word: Substring) -> Int? {
        guard word.count >= 3, word.first == "[", word.last == "]", let depth = Int(word.dropFirst().dropLast()), (1...64).contains(depth) else {
            return nil
        }
        return depth
    }
}
