import Foundation
import SolanaCore
import Testing

/// A program's own log lines, by invocation frame, in logs shaped as the node writes them.
@Suite struct ProgramLogFramesTests {
    static let program: PublicKey = "FLBYprogram11111111111111111111111111111111"
    static let token = "TokenkegQfeZyiNwAJbNbGKPFXCWuBvf9Ss623VQ5DA"
    static let caller = "ComputeBudget111111111111111111111111111111"

    /// Called at the top and again by another program (depth 2); calls the Token program itself (its lines are the
    /// Token program's); logs an event; a program that only logs our invoke line's text does not open a frame.
    static var logs: [String] {
        let id = program.base58
        return [
            "Program \(caller) invoke [1]",
            "Program \(caller) success",
            "Program \(id) invoke [1]",
            "Program log: Instruction: MintFlby",
            "Program \(token) invoke [2]",
            "Program log: Instruction: MintTo",
            "Program \(token) consumed 4492 of 190000 compute units",
            "Program \(token) success",
            "Program data: AQID BAU=",
            "Program \(id) consumed 12000 of 200000 compute units",
            "Program \(id) success",
            "Program \(token) invoke [1]",
            "Program log: Program \(id) invoke [1]",
            "Program \(id) invoke [2]",
            "Program data: not base64!",
            "Program \(id) failed: custom program error: 0x1",
            "Program \(token) failed: custom program error: 0x1",
        ]
    }

    @Test func ownLinesAreTheProgramsFramesAtEveryDepth() {
        let lines = ProgramLogFrames.ownLines(of: Self.program, in: Self.logs)
        #expect(lines.map(\.index) == [2, 3, 8, 9, 10, 13, 14, 15])
        #expect(lines.map(\.depth) == [1, 1, 1, 1, 1, 2, 2, 2])
        #expect(lines.first?.text == "Program \(Self.program.base58) invoke [1]")
        #expect(!lines.contains { $0.text.contains("MintTo") }, "the Token program's lines are its own")
    }

    @Test func dataLinesOfTheProgramAreDecodedChunkByChunk() {
        let data = ProgramLogFrames.dataLines(of: Self.program, in: Self.logs)
        #expect(data == [ProgramDataLine(index: 8, depth: 1, data: [1, 2, 3, 4, 5])], "an invalid chunk leaves its line out")
    }

    @Test func aTruncatedLogEndsEveryFrame() {
        let id = Self.program.base58
        let logs = ["Program \(id) invoke [1]", "Program log: a", "Log truncated", "Program data: AQID"]
        #expect(ProgramLogFrames.ownLines(of: Self.program, in: logs).map(\.index) == [0, 1])
        #expect(ProgramLogFrames.dataLines(of: Self.program, in: logs).isEmpty)
    }

    @Test func hostileLinesNeitherTrapNorOpenFrames() {
        let id = Self.program.base58
        let logs = [
            "", "Program", "Program \(id)", "Program \(id) invoke", "Program \(id) invoke []", "Program \(id) invoke [99999999999999999999]",
            "Program \(id) invoke [0]", "Program \(id) success", "Program data: AQID", "Program \(id) invoke [1] trailing",
        ]
        let lines = ProgramLogFrames.ownLines(of: Self.program, in: logs)
        // Only the last line opens a frame ("[1] trailing" is not "[1]"): nothing is ours.
        #expect(lines.isEmpty, "\(lines)")
    }
}
