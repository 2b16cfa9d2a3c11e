// `ctl history`: the /history lines as patronictl shows them — TL | LSN | Reason | Timestamp | New Leader,
// TL and LSN right-aligned, LSN as a byte position, Patroni's older 3-field lines padded with blanks.

public enum HistoryListing {
    public static let columns = ["TL", "LSN", "Reason", "Timestamp", "New Leader"]

    public static func rows(_ history: [HistoryLine]) -> [[TableCell]] {
        history.map { line in
            [.integer(Int64(line.timeline)), .integer(line.lsn), .text(line.reason),
             .text(line.timestamp ?? ""), .text(line.newLeader ?? "")]
        }
    }

    public static func render(_ history: [HistoryLine], format: OutputFormat) -> String {
        let rows = rows(history)
        switch format {
        case .json: return TableWriter.json(columns: columns, rows: rows)
        case .yaml: return TableWriter.yaml(columns: columns, rows: rows).trimmingCharacters(in: .newlines)
        case .tsv: return TableWriter.tsv(columns: columns, rows: rows)
        case .pretty, .topology:
            return TextTable(columns: columns, rows: rows.map { $0.map(\.plainText) },
                             alignments: ["TL": .right, "LSN": .right]).rendered
        }
    }
}
