// A server started by an HA agent (MINIPG_SUPERVISOR_PID = the agent's pid) must not outlive it: an
// orphaned primary would keep accepting writes after another node took the expired leader lock.
// Here a shell plays the agent: it starts `minipg server` as its child and is then SIGKILLed.
import Foundation
import XCTest

final class SupervisorFenceTests: XCTestCase {
    func testServerDiesWithItsSupervisor() throws {
        let instance = try MiniPGInstance()
        defer { instance.cleanUp() }
        let pidFile = instance.directory.appendingPathComponent("server.pid").path
        let supervisor = Process()
        supervisor.executableURL = URL(fileURLWithPath: "/bin/bash")
        supervisor.arguments = ["-c", """
            MINIPG_SUPERVISOR_PID=$$ "$0" server -D "$1" -p "$2" -h 127.0.0.1 >>"$3" 2>&1 &
            echo $! > "$4"; wait
            """, TestEnvironment.minipgBinary, instance.dataDirectory, String(instance.port), instance.logFile, pidFile]
        try supervisor.run()
        let deadline = Date().addingTimeInterval(60)
        while !instance.acceptsConnections() {
            XCTAssertLessThan(Date(), deadline, "the supervised server did not start:\n\(instance.log())")
            if Date() > deadline { return }
            usleep(100_000)
        }
        let serverPID = try XCTUnwrap(pid_t(String(contentsOfFile: pidFile, encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))

        kill(supervisor.processIdentifier, SIGKILL)
        supervisor.waitUntilExit()

        let gone = Date().addingTimeInterval(10)
        while kill(serverPID, 0) == 0, Date() < gone { usleep(20_000) }
        XCTAssertNotEqual(kill(serverPID, 0), 0, "the server outlived its supervisor:\n\(instance.log())")
        XCTAssertTrue(instance.log().contains("supervises this server is gone"), instance.log())
    }
}
