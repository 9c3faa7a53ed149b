import { test } from 'node:test'
import assert from 'node:assert/strict'
import fc from 'fast-check'
import { dtmfDigitOf, dtmfEventDigit, levelRmsDb } from './bus-messages.js'

void test('level: the loudest channel of rms, as GStreamer 1.22 serializes it', () => {
  const mono = 'level, endtime=(guint64)386723787, timestamp=(guint64)286723787, rms=(GValueArray)< -16.966505007980075 >, peak=(GValueArray)< -13.1 >;'
  assert.equal(levelRmsDb(mono), -16.966505007980075)
  assert.equal(levelRmsDb('level, rms=(GValueArray)< -40.5, -20.25 >, decay=(GValueArray)< -3 >;'), -20.25)
  assert.equal(levelRmsDb('level, rms=(GValueArray)< -699.99999984363217 >;'), -699.99999984363217)
  assert.equal(levelRmsDb('level, peak=(GValueArray)< -3 >;'), undefined)
  assert.equal(levelRmsDb('level, rms=(GValueArray)<  >;'), undefined)
})

void test('RFC 4733 §3.2 events: 0-9, * (10), # (11), A-D (12-15); nothing else is a digit', () => {
  assert.deepEqual(
    Array.from({ length: 16 }, (_, e) => dtmfDigitOf(e)),
    ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#', 'A', 'B', 'C', 'D'],
  )
  fc.assert(fc.property(fc.integer({ min: 16, max: 255 }), (e) => dtmfDigitOf(e) === undefined))
  assert.equal(dtmfEventDigit('dtmf-event, type=(int)1, number=(int)11, volume=(int)10, method=(int)1;'), '#')
  assert.equal(dtmfEventDigit('dtmf-event, type=(int)1, number=(int)16, volume=(int)10;'), undefined)
  assert.equal(dtmfEventDigit('dtmf-event, type=(int)1;'), undefined)
})
