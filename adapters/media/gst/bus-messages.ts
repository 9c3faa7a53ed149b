/**
 * Reading the two element messages the worker acts on, from their serialized structures (the
 * form node-gtk hands over without touching GValueArrays):
 *
 * - `level` (GStreamer `level` element): `rms=(GValueArray)< -20.5 >` in dBFS per channel;
 * - `dtmf-event` (`rtpdtmfdepay`, one per RFC 4733 event as it starts): `number=(int)5`, where
 *   events 0-9 are digits, 10 `*`, 11 `#`, 12-15 A-D (RFC 4733 §3.2).
 */
import type { DtmfDigit } from '../../../core/model/call.js'

const rmsField = /\brms=\(GValueArray\)<\s*([^>]*)>/
const numberField = /\bnumber=\(int\)(-?\d+)/

/** The loudest channel's RMS in dBFS, or undefined when the structure has none. */
export const levelRmsDb = (structure: string): number | undefined => {
  const match = rmsField.exec(structure)
  if (match === null) return undefined
  const values = (match[1] ?? '')
    .split(',')
    .map((v) => v.trim())
    .filter((v) => v !== '')
    .map(Number)
    .filter((v) => Number.isFinite(v))
  return values.length === 0 ? undefined : Math.max(...values)
}

const eventDigits: ReadonlyArray<DtmfDigit> = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D']

/** The digit of an RFC 4733 event number, or undefined for events that are not DTMF (16 and up). */
export const dtmfDigitOf = (event: number): DtmfDigit | undefined => eventDigits[event]

export const dtmfEventDigit = (structure: string): DtmfDigit | undefined => {
  const match = numberField.exec(structure)
  return match === null ? undefined : dtmfDigitOf(Number(match[1]))
}
