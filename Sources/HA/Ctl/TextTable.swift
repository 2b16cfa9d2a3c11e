// The boxed table patronictl prints (its PrettyTable subclass), drawn the same way:
//
//     + Cluster: demo (7712717982980781324) +---------+----+-----------+   ← title written over the top border
//     | Member   | Host           | Role    | State   | TL | Lag in MB |
//     +----------+----------------+---------+---------+----+-----------+
//     | patroni1 | 127.0.0.1:5432 | Leader  | running |  1 |           |
//     +----------+----------------+---------+---------+----+-----------+
//
// Each cell is padded by one space on both sides to its column's width; a header is aligned like its
// column. A cell with several lines (YAML tags) makes its row as tall, and then every row is followed
// by a rule, as PrettyTable's hrules=ALL. The title replaces the top border's characters from the
// second one on; the last column widens if the title would not fit.

public struct TextTable: Sendable {
    public enum Alignment: Sendable { case left, right }

    public var columns: [String]
    public var rows: [[String]]
    public var alignments: [String: Alignment]
    public var title: String?

    public init(columns: [String], rows: [[String]], alignments: [String: Alignment] = [:], title: String? = nil) {
        self.columns = columns
        self.rows = rows
        self.alignments = alignments
        self.title = title
    }

    public var rendered: String {
        let cells = rows.map { row in columns.indices.map { index in index < row.count ? row[index] : "" } }
        var widths = columns.map(\.count)
        for row in cells {
            for (index, cell) in row.enumerated() {
                widths[index] = max(widths[index], cell.split(separator: "\n", omittingEmptySubsequences: false)
                    .map(\.count).max() ?? 0)
            }
        }
        if let title, !widths.isEmpty {
            let ruleLength = widths.reduce(0) { $0 + $1 + 3 } + 1
            let needed = title.count + 2
            if needed > ruleLength { widths[widths.count - 1] += needed - ruleLength }
        }
        let rule = "+" + widths.map { String(repeating: "-", count: $0 + 2) }.joined(separator: "+") + "+"
        var top = rule
        if let title {
            top = "+" + title + String(rule.dropFirst(1 + title.count))
        }
        let everyRow = cells.contains { row in row.contains { $0.contains("\n") } }
        var lines = [top, line(columns, widths), rule]
        for row in cells {
            let split = row.map { $0.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) }
            let height = split.map(\.count).max() ?? 1
            for lineIndex in 0..<height {
                lines.append(line(split.map { lineIndex < $0.count ? $0[lineIndex] : "" }, widths))
            }
            if everyRow { lines.append(rule) }
        }
        if !everyRow || cells.isEmpty { lines.append(rule) }
        return lines.joined(separator: "\n")
    }

    private func line(_ values: [String], _ widths: [Int]) -> String {
        var text = "|"
        for (index, value) in values.enumerated() {
            let padding = String(repeating: " ", count: widths[index] - value.count)
            let aligned = alignments[columns[index]] == .right ? padding + value : value + padding
            text += " " + aligned + " |"
        }
        return text
    }
}
