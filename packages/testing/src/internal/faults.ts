/** The fault controller behind `sim.faults`. */
import * as SimulatorFault from "../SimulatorFault.js"
import { prng } from "./random.js"

interface Rule {
  readonly fault: SimulatorFault.Fault
  remaining: number | undefined
  readonly random: () => number
}

/** What to do to one call: wait, then maybe one outcome fault. */
export interface Plan {
  readonly latencyMs: number
  readonly outcome: Exclude<SimulatorFault.Fault, { kind: "latency" }> | undefined
}

const zeroCounts = (): Record<SimulatorFault.Kind, number> =>
  Object.fromEntries(SimulatorFault.kinds.map((kind) => [kind, 0])) as Record<SimulatorFault.Kind, number>

export class FaultController implements SimulatorFault.Faults {
  private rules: Array<Rule> = []
  private counts = zeroCounts()

  readonly inject = (fault: SimulatorFault.Fault | ReadonlyArray<SimulatorFault.Fault>): void => {
    for (const one of Array.isArray(fault) ? fault : [fault]) {
      const checked = SimulatorFault.make(one)
      this.rules.push({ fault: checked, remaining: checked.times, random: prng(checked.seed ?? 1) })
    }
  }

  readonly clear = (): void => {
    this.rules = []
  }

  readonly active = (): ReadonlyArray<SimulatorFault.Fault> => this.rules.map((rule) => rule.fault)

  readonly stats = (): SimulatorFault.Stats => ({ ...this.counts })

  readonly resetStats = (): void => {
    this.counts = zeroCounts()
  }

  /**
   * Draws the faults of one call; `names` are the call's operation names.
   * Without `untargeted`, only faults naming one of them apply.
   */
  plan(names: ReadonlyArray<string>, untargeted = true): Plan {
    let latencyMs = 0
    let outcome: Plan["outcome"]
    for (const rule of this.rules) {
      const fault = rule.fault
      if (fault.operation === undefined ? !untargeted : !names.includes(fault.operation)) continue
      if (fault.kind !== "latency" && outcome !== undefined) continue
      if (rule.remaining !== undefined && rule.remaining <= 0) continue
      if (fault.rate !== undefined && rule.random() >= fault.rate) continue
      if (rule.remaining !== undefined) rule.remaining--
      this.counts[fault.kind]++
      if (fault.kind === "latency") latencyMs += fault.ms
      else outcome = fault
    }
    this.rules = this.rules.filter((rule) => rule.remaining === undefined || rule.remaining > 0)
    return { latencyMs, outcome }
  }
}
