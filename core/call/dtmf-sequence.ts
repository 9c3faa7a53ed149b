/**
 * An ADP's `dtmf_sequence` (PROTOCOLS 3.5): sent once the call is answered, each `,` a pause
 * of 2 s. `12,,34` sends `12`, waits 4 s, sends `34`.
 */
export interface DtmfStep {
  /** Digits to send now; may be empty (a leading or doubled comma). */
  readonly send: string
  /** What follows the pause; `undefined` when the sequence is finished. */
  readonly afterPause: string | undefined
}

export const nextDtmfStep = (sequence: string): DtmfStep => {
  const comma = sequence.indexOf(',')
  return comma === -1
    ? { send: sequence, afterPause: undefined }
    : { send: sequence.slice(0, comma), afterPause: sequence.slice(comma + 1) }
}
