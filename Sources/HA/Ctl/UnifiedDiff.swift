// The unified diff `ctl edit-config` prints before "Apply these changes?" — line for line what Python's
// difflib.unified_diff prints for patronictl (its matcher: the longest common run of lines first, then the
// same on both sides of it; hunks with 3 lines of context, merged when ≤ 6 equal lines lie between).
// difflib's "popular line" heuristic only starts at 200 lines; configurations are shorter, so it is left out.

public enum UnifiedDiff {
    enum Tag { case equal, replace, delete, insert }
    struct Opcode { var tag: Tag; var i1, i2, j1, j2: Int }

    /// The diff lines ("--- ", "+++ ", "@@ -1,4 +1,4 @@", " x", "-y", "+z"); empty when `old == new`.
    public static func lines(old: [String], new: [String], context: Int = 3) -> [String] {
        var output: [String] = []
        for group in groupedOpcodes(old, new, context: context) {
            if output.isEmpty { output += ["--- ", "+++ "] }
            guard let first = group.first, let last = group.last else { continue }
            output.append("@@ -\(range(first.i1, last.i2)) +\(range(first.j1, last.j2)) @@")
            for code in group {
                if code.tag == .equal { output += old[code.i1..<code.i2].map { " " + $0 }; continue }
                if code.tag == .replace || code.tag == .delete { output += old[code.i1..<code.i2].map { "-" + $0 } }
                if code.tag == .replace || code.tag == .insert { output += new[code.j1..<code.j2].map { "+" + $0 } }
            }
        }
        return output
    }

    /// "start,length" as difflib writes it: 1-based, ",1" left out, an empty range names the line before.
    static func range(_ start: Int, _ stop: Int) -> String {
        let length = stop - start
        if length == 1 { return "\(start + 1)" }
        return length == 0 ? "\(start),0" : "\(start + 1),\(length)"
    }

    static func matchingBlocks(_ a: [String], _ b: [String]) -> [(Int, Int, Int)] {
        var positions: [String: [Int]] = [:]
        for (index, line) in b.enumerated() { positions[line, default: []].append(index) }
        var queue = [(0, a.count, 0, b.count)]
        var blocks: [(Int, Int, Int)] = []
        while let (alo, ahi, blo, bhi) = queue.popLast() {
            var best = (alo, blo, 0)
            var runLengths: [Int: Int] = [:]
            for i in alo..<max(alo, ahi) {
                var next: [Int: Int] = [:]
                for j in positions[a[i]] ?? [] where j >= blo && j < bhi {
                    let length = (runLengths[j - 1] ?? 0) + 1
                    next[j] = length
                    if length > best.2 { best = (i - length + 1, j - length + 1, length) }
                }
                runLengths = next
            }
            let (i, j, k) = best
            guard k > 0 else { continue }
            blocks.append(best)
            if alo < i && blo < j { queue.append((alo, i, blo, j)) }
            if i + k < ahi && j + k < bhi { queue.append((i + k, ahi, j + k, bhi)) }
        }
        blocks.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        var merged: [(Int, Int, Int)] = []
        for block in blocks {
            if let last = merged.last, last.0 + last.2 == block.0, last.1 + last.2 == block.1 {
                merged[merged.count - 1].2 += block.2
            } else {
                merged.append(block)
            }
        }
        return merged + [(a.count, b.count, 0)]
    }

    static func opcodes(_ a: [String], _ b: [String]) -> [Opcode] {
        var i = 0, j = 0
        var codes: [Opcode] = []
        for (ai, bj, size) in matchingBlocks(a, b) {
            if i < ai && j < bj { codes.append(Opcode(tag: .replace, i1: i, i2: ai, j1: j, j2: bj)) }
            else if i < ai { codes.append(Opcode(tag: .delete, i1: i, i2: ai, j1: j, j2: bj)) }
            else if j < bj { codes.append(Opcode(tag: .insert, i1: i, i2: ai, j1: j, j2: bj)) }
            i = ai + size
            j = bj + size
            if size > 0 { codes.append(Opcode(tag: .equal, i1: ai, i2: i, j1: bj, j2: j)) }
        }
        return codes
    }

    static func groupedOpcodes(_ a: [String], _ b: [String], context n: Int) -> [[Opcode]] {
        var codes = opcodes(a, b)
        if codes.isEmpty { codes = [Opcode(tag: .equal, i1: 0, i2: 1, j1: 0, j2: 1)] }
        if codes[0].tag == .equal {
            let c = codes[0]
            codes[0] = Opcode(tag: .equal, i1: max(c.i1, c.i2 - n), i2: c.i2, j1: max(c.j1, c.j2 - n), j2: c.j2)
        }
        if let c = codes.last, c.tag == .equal {
            codes[codes.count - 1] = Opcode(tag: .equal, i1: c.i1, i2: min(c.i2, c.i1 + n),
                                            j1: c.j1, j2: min(c.j2, c.j1 + n))
        }
        var groups: [[Opcode]] = []
        var group: [Opcode] = []
        for var code in codes {
            if code.tag == .equal && code.i2 - code.i1 > 2 * n {
                group.append(Opcode(tag: .equal, i1: code.i1, i2: min(code.i2, code.i1 + n),
                                    j1: code.j1, j2: min(code.j2, code.j1 + n)))
                groups.append(group)
                group = []
                code.i1 = max(code.i1, code.i2 - n)
                code.j1 = max(code.j1, code.j2 - n)
            }
            group.append(code)
        }
        if !group.isEmpty && !(group.count == 1 && group[0].tag == .equal) { groups.append(group) }
        return groups
    }
}
