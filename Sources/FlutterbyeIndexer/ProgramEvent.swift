public import SolanaCore

/// One `Program data:` line of the watched program in an indexed transaction (a row of `program_events`): the Anchor
/// event it decodes to with the configured IDL, or its raw data alone (no name) when no IDL is configured, none of
/// its events has that discriminator, or the data does not decode by the event's fields (`decodeError` says why).
public struct ProgramEvent: Sendable, Hashable {
    /// The line's position in the transaction's log.
    public var lineIndex: Int
    /// The invocation depth of the program's frame that logged it.
    public var depth: Int
    public var name: String?
    public var fields: JSONValue?
    public var data: [UInt8]
    public var decodeError: String?

    public init(lineIndex: Int, depth: Int, name: String? = nil, fields: JSONValue? = nil, data: [UInt8], decodeError: String? = nil) {
        self.lineIndex = lineIndex
        self.depth = depth
        self.name = name
        self.fields = fields
        self.data = data
        self.decodeError = decodeError
    }

    /// The events of the program's data lines, decoded with `decoder` when there is one.
    static func read(_ lines: [ProgramDataLine], decoder: AnchorEventDecoder?) -> [ProgramEvent] {
        lines.map { line in
            var event = ProgramEvent(lineIndex: line.index, depth: line.depth, data: line.data)
            switch decoder?.decode(line.data) {
            case .event(let name, let fields)?:
                event.name = name
                event.fields = fields
            case .undecodable(let name, let reason)?:
                event.name = name
                event.decodeError = reason
            case .unknown?, nil:
                break
            }
            return event
        }
    }
}
