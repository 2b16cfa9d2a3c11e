// /config: the cluster-wide dynamic configuration in the DCS (patroni.md §5).
// - GET answers the stored document, 502 when the key is absent.
// - PATCH merges the body into it (RFC 7386: null deletes a key) and writes it back only if nobody changed
//   it since it was read (compare-and-set on the key's revision): 409 on a concurrent change, 503 when
//   the key is absent (nothing to patch: the cluster is not bootstrapped). Then the HA loop is woken so
//   a new ttl or pause takes effect now, not after loop_wait.
// - PUT replaces the document unconditionally (Patroni's semantics); 502 when the write fails.
// - Unlike Patroni, a document that would break the timing rules or has a wrongly typed key is refused
//   with 400 before anything is written (DynamicConfig.validationError, the check ctl edit-config makes).

extension RESTRouter {
    func getConfig() async -> RESTResponse {
        switch await loadCluster() {
        case .failure(let error): return .text(503, "DCS is not accessible: \(error)")
        case .success(let view):
            guard let config = view.config else { return .text(502, "No configuration in the DCS at \(agent.clusterStore.configKey)") }
            return .json(200, config.document)
        }
    }

    func patchConfig(_ patch: [String: JSONValue]) async -> RESTResponse {
        let view: ClusterView
        do {
            view = try await agent.clusterStore.load()
        } catch {
            return .text(503, "DCS is not accessible: \(error)")
        }
        guard let current = view.config else {
            return .text(503, "No configuration in the DCS at \(agent.clusterStore.configKey) to patch")
        }
        let merged = DynamicConfig(document: current.document.merging(patch: .object(patch)))
        if let problem = merged.validationError { return Self.invalid(problem) }
        if merged != current {
            do {
                guard try await agent.clusterStore.setConfig(merged, expectedRevision: view.configRevision) else {
                    return .text(409, "The configuration was changed concurrently (it was at revision "
                                 + "\(view.configRevision) when read); read it again and retry")
                }
            } catch {
                return .text(503, "DCS is not accessible: \(error)")
            }
        }
        await agent.wakeHALoop()
        return .json(200, merged.document)
    }

    func putConfig(_ document: [String: JSONValue]) async -> RESTResponse {
        let replacement = DynamicConfig(document: .object(document))
        if let problem = replacement.validationError { return Self.invalid(problem) }
        do {
            let current = try? await agent.clusterStore.load().config
            if current != replacement {
                _ = try await agent.clusterStore.setConfig(replacement, expectedRevision: nil)
            }
        } catch {
            return .text(502, "Could not write the configuration to the DCS: \(error)")
        }
        await agent.wakeHALoop()
        return .json(200, replacement.document)
    }

    private static func invalid(_ problem: String) -> RESTResponse {
        .text(400, "invalid configuration: \(problem); /config was not changed")
    }
}
