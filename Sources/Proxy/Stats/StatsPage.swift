// The stats page as HTML: one table per listener, one row per backend, in the spirit of HAProxy's
// `stats uri /` page. Rows out of rotation are shaded and say why.

extension StatsSnapshot {
    public func html() -> String {
        var page = """
        <!DOCTYPE html>
        <html><head><meta charset="utf-8"><meta http-equiv="refresh" content="2">
        <title>minipg proxy</title>
        <style>
        body { font-family: sans-serif; } table { border-collapse: collapse; margin-bottom: 1.5em; }
        th, td { border: 1px solid #999; padding: 2px 8px; text-align: left; }
        tr.down td { background: #f4c7c3; } tr.up td { background: #c6efce; }
        </style></head><body>
        <h1>minipg proxy</h1><p>\(escape(generatedAt)) · <a href="/stats.json">JSON</a></p>

        """
        for listener in listeners {
            page += "<h2>\(escape(listener.name)) — \(escape(listener.bind)), check GET \(escape(listener.checkPath)), balance \(escape(listener.balance))</h2>\n"
            page += "<p>sessions: \(listener.currentSessions) current, \(listener.totalSessions) total, \(listener.refusedSessions) refused"
            if let routesTo = listener.routesTo { page += " · routes to <b>\(escape(routesTo))</b>" }
            if let note = listener.note { page += " · <b>\(escape(note))</b>" }
            page += "</p>\n<table><tr><th>backend</th><th>address</th><th>state</th><th>last check</th>"
                + "<th>out of rotation because</th><th>last change</th><th>sessions cur</th><th>sessions total</th>"
                + "<th>bytes in</th><th>bytes out</th></tr>\n"
            for backend in listener.backends {
                let lastCheck = backend.lastCheck.map { text in
                    backend.lastCheckMilliseconds.map { "\(text) in \($0) ms" } ?? text
                } ?? ""
                let lastChange = backend.secondsSinceLastChange.map { "\($0) s ago" } ?? ""
                page += "<tr class=\"\(backend.inRotation ? "up" : "down")\"><td>\(escape(backend.name))</td>"
                    + "<td>\(escape(backend.address))</td><td>\(escape(backend.state))</td><td>\(escape(lastCheck))</td>"
                    + "<td>\(escape(backend.outOfRotationReason ?? ""))</td><td>\(escape(lastChange))</td>"
                    + "<td>\(backend.currentSessions)</td><td>\(backend.totalSessions)</td>"
                    + "<td>\(backend.bytesIn)</td><td>\(backend.bytesOut)</td></tr>\n"
            }
            page += "</table>\n"
        }
        return page + "</body></html>\n"
    }

    private func escape(_ text: String) -> String {
        var escaped = ""
        for character in text {
            switch character {
            case "<": escaped += "&lt;"
            case ">": escaped += "&gt;"
            case "&": escaped += "&amp;"
            case "\"": escaped += "&quot;"
            default: escaped.append(character)
            }
        }
        return escaped
    }
}
