/**
 * Who is speaking in a conference, from each leg's audio level (dBFS RMS every interval). A
 * signal-processing fact the core is told (ActiveSpeakerChanged), not a rule: the core decides
 * what the layouts do with it.
 *
 * - Only a leg above `thresholdDb` can become the speaker; silence keeps the last speaker
 *   (layouts do not jump when everyone pauses).
 * - A new leg must be the loudest for `holdMs` without a break, and louder than the current
 *   speaker by `marginDb` unless the current speaker has gone quiet: a cough or one loud
 *   syllable does not switch the main picture.
 */

export interface ActiveSpeakerTuning {
  readonly thresholdDb: number
  readonly marginDb: number
  readonly holdMs: number
}

export const defaultTuning: ActiveSpeakerTuning = { thresholdDb: -45, marginDb: 3, holdMs: 400 }

export interface ActiveSpeakerState<L> {
  readonly speaker?: L
  readonly candidate?: { readonly leg: L; readonly since: number }
}

export interface LegLevel<L> {
  readonly leg: L
  readonly db: number
}

export interface ActiveSpeakerStep<L> {
  readonly state: ActiveSpeakerState<L>
  /** The new speaker, when it changed on this step. */
  readonly changed?: L
}

/** One decision at time `at` (ms) over the latest level of every leg in the conference. */
export const stepActiveSpeaker = <L>(
  state: ActiveSpeakerState<L>,
  levels: ReadonlyArray<LegLevel<L>>,
  at: number,
  tuning: ActiveSpeakerTuning = defaultTuning,
): ActiveSpeakerStep<L> => {
  let loudest: LegLevel<L> | undefined
  for (const l of levels) if (l.db >= tuning.thresholdDb && (loudest === undefined || l.db > loudest.db)) loudest = l
  const keep = state.speaker === undefined ? {} : { speaker: state.speaker }
  if (loudest === undefined || loudest.leg === state.speaker) return { state: keep }
  const current = levels.find((l) => l.leg === state.speaker)
  const clearlyLouder = current === undefined || current.db < tuning.thresholdDb || loudest.db >= current.db + tuning.marginDb
  if (!clearlyLouder) return { state: keep }
  const since = state.candidate?.leg === loudest.leg ? state.candidate.since : at
  // The first speaker of a conference needs no hold: nobody is on the main picture yet.
  if (state.speaker === undefined || at - since >= tuning.holdMs) return { state: { speaker: loudest.leg }, changed: loudest.leg }
  return { state: { ...keep, candidate: { leg: loudest.leg, since } } }
}
