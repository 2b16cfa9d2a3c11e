// POST /restart, /reinitialize (and /reload, DELETE /restart, which take no body): the body is checked
// here with Patroni's rules and messages, then the agent is asked; it answers at once with Patroni's status
// code (a restart runs in the background and shows as state "restarting").
//
// POST /restart body keys (all optional): schedule (ISO 8601 with time zone, future), role (primary |
// replica; "master" accepted), postgres_version ("15", "15.2" — restart only if the running one is lower),
// timeout (seconds, positive), restart_pending (only if a restart is pending). Any other key is a 400.
// A scheduled restart is refused while the cluster is paused (500, as Patroni).
import Foundation

extension RESTRouter {
    func restart(_ body: [String: JSONValue]) async -> RESTResponse {
        var request = RestartRequest()
        for (key, value) in body.sorted(by: { $0.key < $1.key }) {
            switch key {
            case "schedule":
                if (try? await agent.clusterStore.load().effectiveConfig.isPaused) == true {
                    return .text(500, "Can't schedule restart in the paused state")
                }
                do {
                    request.scheduleAt = try ScheduledTime.validate(value.stringValue ?? "", action: "restart")
                } catch {
                    return .text(error.status, error.message)
                }
            case "role":
                switch value.stringValue {
                case "primary", "master": request.role = "primary"
                case "replica": request.role = "replica"
                default: return .text(400, "PostgreSQL role should be either primary or replica")
                }
            case "postgres_version":
                guard let version = Self.serverVersionNumber(value.stringValue ?? "") else {
                    return .text(400, "Invalid PostgreSQL version format: X.Y or X.Y.Z is accepted: \(value)")
                }
                request.postgresVersion = version
            case "timeout":
                guard let seconds = value.stringValue.flatMap(Self.seconds), seconds > 0 else {
                    return .text(400, "Timeout should be a positive number of seconds")
                }
                request.timeout = .seconds(seconds)
            case "restart_pending":
                request.restartPending = value.boolValue ?? false
            default:
                return .text(400, "Unknown filter for the scheduled restart: \(key)")
            }
        }
        return await agent.restart(request).response
    }

    func reinitialize(_ body: [String: JSONValue]) async -> RESTResponse {
        await agent.reinitialize(force: body["force"]?.boolValue ?? false).response
    }

    /// "15" → 150000, "15.2" → 150002, "9.6.3" → 90603 (server_version_num).
    static func serverVersionNumber(_ text: String) -> Int? {
        let pieces = text.split(separator: ".", omittingEmptySubsequences: false)
        let numbers = pieces.compactMap { Int($0) }.filter { (0..<10_000).contains($0) }
        guard (1...3).contains(pieces.count), numbers.count == pieces.count else { return nil }
        let major = numbers[0]
        if major >= 10 {
            guard numbers.count <= 2 else { return nil }
            return major * 10_000 + (numbers.count == 2 ? numbers[1] : 0)
        }
        return major * 10_000 + (numbers.count > 1 ? numbers[1] * 100 : 0) + (numbers.count > 2 ? numbers[2] : 0)
    }

    /// Seconds, bare or with a unit: "30", "30s", "2min", "1h".
    static func seconds(_ text: String) -> Int? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let digits = trimmed.prefix { $0.isNumber }
        guard let number = Int(digits) else { return nil }
        let unit: Int
        switch trimmed.dropFirst(digits.count) {
        case "", "s": unit = 1
        case "min": unit = 60
        case "h": unit = 3600
        default: return nil
        }
        let (seconds, overflow) = number.multipliedReportingOverflow(by: unit)
        return overflow ? nil : seconds
    }
}
