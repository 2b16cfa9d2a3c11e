// Storage: the free space map of one heap (PostgreSQL's freespace.c, kept in memory only).
//
// One byte per page: its free bytes / 32 (PostgreSQL's FSM category), as last recorded by VACUUM,
// by pruning, or by an insert that found the page fuller than recorded. Inserts and updates ask it
// for a page with room before extending the relation, so space VACUUM frees is reused.
//
// Not persistent: it starts empty when the server starts and fills up again as VACUUM and
// autovacuum visit the tables (PostgreSQL keeps it in a WAL-less fork "_fsm" for the same job;
// like that fork it is only a hint — every answer is checked against the page itself, under its
// lock, before use).
import WAL

final class FreeSpaceMap: @unchecked Sendable {
    static let bytesPerCategory = 32

    private struct State {
        var categories: [UInt8] = []
        /// No page has a higher category (a bound, exact after a search that found nothing), so
        /// a request above it is answered "none" without a search.
        var largest: UInt8 = 0
        /// Where the next search starts, so concurrent inserters spread over the pages.
        var cursor = 0
    }
    private let state = PThreadMutex(State())

    func record(_ page: PageNumber, freeBytes: Int) {
        let category = UInt8(min(255, max(0, freeBytes) / Self.bytesPerCategory))
        let index = Int(page.value)
        state.withLock { s in
            if index >= s.categories.count {
                guard category > 0 else { return }
                s.categories.append(contentsOf: repeatElement(0, count: index - s.categories.count + 1))
            }
            s.categories[index] = category
            s.largest = max(s.largest, category)
        }
    }

    /// A page recorded with at least `size` free bytes, other than `excluding`; nil if none.
    func pageWithSpace(atLeast size: Int, excluding: PageNumber?) -> PageNumber? {
        let needed = UInt8(min(255, (size + Self.bytesPerCategory - 1) / Self.bytesPerCategory))
        return state.withLock { s -> PageNumber? in
            guard needed <= s.largest, !s.categories.isEmpty else { return nil }
            let count = s.categories.count
            var index = s.cursor % count
            var largestSeen: UInt8 = 0
            for _ in 0..<count {
                let category = s.categories[index]
                if category >= needed && UInt32(index) != excluding?.value {
                    s.cursor = index
                    return PageNumber(UInt32(index))
                }
                if UInt32(index) != excluding?.value { largestSeen = max(largestSeen, category) }
                index = index + 1 == count ? 0 : index + 1
            }
            if let excluding, Int(excluding.value) < count {
                largestSeen = max(largestSeen, s.categories[Int(excluding.value)])
            }
            s.largest = largestSeen
            return nil
        }
    }
}
