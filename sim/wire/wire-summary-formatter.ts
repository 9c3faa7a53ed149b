/**
 * The wire profile's progress output (cucumber's `progress`, which it extends: two formatters
 * cannot share stdout) and its closing count (DESIGN §5: a scenario left out of the wire is reported,
 * never silently skipped): how many scenarios ran and how many are @sim-only, with the reason
 * each tag's comment gives (the comment lines just above the tag), most frequent first.
 *
 * A cucumber formatter: it sees every pickle the feature files make, including those the tag
 * expression leaves out, and every test case that ran.
 */
import { ProgressFormatter, type IFormatterOptions } from '@cucumber/cucumber'
import type * as messages from '@cucumber/messages'

const simOnly = '@sim-only'

type Located = { readonly tags: ReadonlyArray<messages.Tag> }

export default class WireSummaryFormatter extends ProgressFormatter {
  static override readonly documentation = 'Progress, then "wire: N scenarios run, M @sim-only" and the reasons given for @sim-only'

  /** The comment above each @sim-only tag, by the tag's AST node id. */
  private readonly reasons = new Map<string, string>()
  private readonly simOnlyReasons: string[] = []
  private readonly started = new Set<string>()

  constructor(options: IFormatterOptions) {
    super(options)
    options.eventBroadcaster.on('envelope', (envelope: messages.Envelope) => this.read(envelope))
  }

  private read(envelope: messages.Envelope): void {
    if (envelope.gherkinDocument !== undefined) this.learnReasons(envelope.gherkinDocument)
    if (envelope.pickle !== undefined) {
      const tag = envelope.pickle.tags.find((t) => t.name === simOnly)
      if (tag !== undefined) this.simOnlyReasons.push(this.reasons.get(tag.astNodeId) ?? '(no reason given)')
    }
    if (envelope.testCaseStarted !== undefined) this.started.add(envelope.testCaseStarted.testCaseId)
    if (envelope.testRunFinished !== undefined) this.summarise()
  }

  private learnReasons(document: messages.GherkinDocument): void {
    const comments = new Map(document.comments.map((c) => [c.location.line, c.text.trim().replace(/^#\s*/, '')] as const))
    /** The comment lines right above a tag, read as one sentence. */
    const reasonAbove = (line: number): string => {
      const lines: string[] = []
      for (let at = line - 1; comments.has(at); at -= 1) lines.unshift(comments.get(at) ?? '')
      return lines.length === 0 ? '(no reason given)' : lines.join(' ')
    }
    const note = (node: Located): void => {
      for (const tag of node.tags) if (tag.name === simOnly) this.reasons.set(tag.id, reasonAbove(tag.location.line))
    }
    const feature = document.feature
    if (feature === undefined) return
    note(feature)
    const children = feature.children.flatMap((c) => (c.rule === undefined ? [c] : c.rule.children))
    for (const child of children) {
      if (child.scenario === undefined) continue
      note(child.scenario)
      for (const examples of child.scenario.examples) note(examples)
    }
  }

  private summarise(): void {
    const byReason = new Map<string, number>()
    for (const reason of this.simOnlyReasons) byReason.set(reason, (byReason.get(reason) ?? 0) + 1)
    const lines = [`wire: ${this.started.size} scenarios run, ${this.simOnlyReasons.length} @sim-only`]
    for (const [reason, count] of [...byReason].sort((a, b) => b[1] - a[1])) lines.push(`  ${count} × ${reason}`)
    this.log(`\n${lines.join('\n')}\n`)
  }
}
