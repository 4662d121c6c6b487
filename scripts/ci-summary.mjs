// Prints CI's closing line "N passed, N failed" from vitest's JSON report.
// Failed set-up steps (install, build, typecheck, lint) count as failures too.
import { existsSync, readFileSync } from "node:fs"

const [reportPath, failedStepsArg = "0", testStatusArg = "0"] = process.argv.slice(2)
const failedSteps = Number(failedStepsArg)
const testStatus = Number(testStatusArg)
let passed = 0
let failed = 0
let skipped = 0
if (reportPath && existsSync(reportPath)) {
  const report = JSON.parse(readFileSync(reportPath, "utf8"))
  passed = report.numPassedTests ?? 0
  failed = report.numFailedTests ?? 0
  skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0)
  // a file that failed to load counts as a failure even when no test in it ran
  failed += (report.testResults ?? []).filter(
    (file) => file.status === "failed" && (file.assertionResults ?? []).length === 0
  ).length
}
if (testStatus !== 0 && failed === 0) failed = 1
failed += failedSteps
if (passed === 0 && failed === 0) failed = 1
console.log(`${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ""}`)
process.exit(failed > 0 ? 1 : 0)
