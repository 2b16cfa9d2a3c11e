// IPNetwork: IPv4/IPv6 addresses and CIDR networks, as pg_hba.conf's ADDRESS field uses them.
// Addresses are kept as 16 bytes (IPv4 as its IPv4-mapped IPv6 form) so that one comparison works
// for both families; a CIDR prefix on an IPv4 network is shifted by 96 bits accordingly.

public struct IPAddress: Sendable, Equatable {
    public var bytes: [UInt8]   // 16 bytes
    public var isIPv4: Bool

    public init?(_ text: String) {
        if let v4 = Self.parseIPv4(text) {
            bytes = [UInt8](repeating: 0, count: 10) + [0xFF, 0xFF] + v4
            isIPv4 = true
        } else if let v6 = Self.parseIPv6(text) {
            if v6[0..<10].allSatisfy({ $0 == 0 }) && v6[10] == 0xFF && v6[11] == 0xFF {
                isIPv4 = true
            } else {
                isIPv4 = false
            }
            bytes = v6
        } else {
            return nil
        }
    }

    public var isLoopback: Bool {
        if isIPv4 { return bytes[12] == 127 }
        return bytes[0..<15].allSatisfy { $0 == 0 } && bytes[15] == 1
    }

    private static func parseIPv4(_ text: String) -> [UInt8]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var result: [UInt8] = []
        for part in parts {
            guard let value = UInt8(part) else { return nil }
            result.append(value)
        }
        return result
    }

    private static func parseIPv6(_ text: String) -> [UInt8]? {
        var text = Substring(text)
        if let percent = text.firstIndex(of: "%") { text = text[..<percent] }  // zone id
        let halves = text.components(separatedByDoubleColon: ())
        guard halves.count <= 2 else { return nil }
        func groups(_ part: Substring) -> [UInt16]? {
            if part.isEmpty { return [] }
            var result: [UInt16] = []
            for group in part.split(separator: ":", omittingEmptySubsequences: false) {
                if group.contains("."), let v4 = parseIPv4(String(group)) {
                    // An embedded IPv4 address (::ffff:127.0.0.1) stands for the last two groups.
                    result.append(UInt16(v4[0]) << 8 | UInt16(v4[1]))
                    result.append(UInt16(v4[2]) << 8 | UInt16(v4[3]))
                    continue
                }
                guard group.count <= 4, let value = UInt16(group, radix: 16) else { return nil }
                result.append(value)
            }
            return result
        }
        guard let head = groups(halves[0]) else { return nil }
        let tail = halves.count == 2 ? groups(halves[1]) : []
        guard let tail else { return nil }
        let missing = 8 - head.count - tail.count
        guard halves.count == 2 ? missing >= 1 : missing == 0 else { return nil }
        let all = head + [UInt16](repeating: 0, count: halves.count == 2 ? missing : 0) + tail
        return all.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }
}

public struct IPNetwork: Sendable, Equatable {
    public var address: IPAddress
    public var prefixLength: Int     // over the 128-bit form

    public init?(cidr: String) {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let address = IPAddress(String(parts[0])), let bits = Int(parts[1]) else { return nil }
        let maxBits = address.isIPv4 ? 32 : 128
        guard bits >= 0 && bits <= maxBits else { return nil }
        self.address = address
        self.prefixLength = address.isIPv4 ? bits + 96 : bits
    }

    public init?(address: IPAddress, mask: IPAddress) {
        guard address.isIPv4 == mask.isIPv4 else { return nil }
        var bits = 0
        let maskBytes = address.isIPv4 ? Array(mask.bytes[12...]) : mask.bytes
        for byte in maskBytes { bits += byte.nonzeroBitCount }
        self.address = address
        self.prefixLength = address.isIPv4 ? bits + 96 : bits
    }

    public func contains(_ other: IPAddress) -> Bool {
        var remaining = prefixLength
        for index in 0..<16 where remaining > 0 {
            let take = min(8, remaining)
            let mask: UInt8 = take == 8 ? 0xFF : UInt8(0xFF) << UInt8(8 - take)
            if address.bytes[index] & mask != other.bytes[index] & mask { return false }
            remaining -= take
        }
        return true
    }
}

extension Substring {
    /// Splits at the single `::` an IPv6 address may contain.
    fileprivate func components(separatedByDoubleColon: ()) -> [Substring] {
        var parts: [Substring] = []
        var start = startIndex
        var index = startIndex
        while index < endIndex {
            let next = self.index(after: index)
            if self[index] == ":" && next < endIndex && self[next] == ":" {
                parts.append(self[start..<index])
                start = self.index(after: next)
                index = start
                continue
            }
            index = next
        }
        parts.append(self[start..<endIndex])
        return parts
    }
}
