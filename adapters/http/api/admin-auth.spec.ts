import { test } from 'node:test'
import assert from 'node:assert/strict'
import { AdminAuthenticator, parseBasicAuthorization } from './admin-auth.js'
import { hashPassword, verifyPassword } from '../../store/admin-password.js'

const counting = (password: string) => {
  let hash = hashPassword(password)
  let checks = 0
  return {
    check: {
      verifyAdmin: async (user: string, presented: string) => {
        checks++
        return user === 'admin' && (await verifyPassword(hash, presented))
      },
      credentialVersion: () => hash,
    },
    checks: () => checks,
    change: (next: string) => (hash = hashPassword(next)),
  }
}

void test('Basic credentials: RFC 7617 user-pass split at the first colon, UTF-8; anything else is no credentials', () => {
  const encode = (s: string) => Buffer.from(s, 'utf8').toString('base64')
  assert.deepEqual(parseBasicAuthorization(`Basic ${encode('admin:pa:ss wörd')}`), { user: 'admin', password: 'pa:ss wörd' })
  assert.deepEqual(parseBasicAuthorization(`BASIC  ${encode('admin:')}`), { user: 'admin', password: '' })
  for (const header of [undefined, '', 'Basic', `Digest ${encode('admin:x')}`, `Basic ${encode('admin')}`, 'Basic a b'])
    assert.equal(parseBasicAuthorization(header), undefined, String(header))
})

void test('a password hash verifies only its password and resists a damaged stored form', async () => {
  const stored = hashPassword('s3cret')
  assert.notEqual(hashPassword('s3cret'), stored, 'a fresh salt each time')
  assert.equal(await verifyPassword(stored, 's3cret'), true)
  assert.equal(await verifyPassword(stored, 's3cret '), false)
  assert.equal(await verifyPassword('scrypt$1$1$1$$', 's3cret'), false)
  assert.equal(await verifyPassword('plain', 'plain'), false)
  assert.equal(await verifyPassword(stored.replace('$32768$', '$3$'), 's3cret'), false)
})

void test('credentials that passed are remembered until the stored password changes; failures never are', async () => {
  const store = counting('first')
  const auth = new AdminAuthenticator(store.check)
  assert.equal(await auth.accepts({ user: 'admin', password: 'first' }), true)
  assert.equal(await auth.accepts({ user: 'admin', password: 'first' }), true)
  assert.equal(store.checks(), 1)
  assert.equal(await auth.accepts({ user: 'admin', password: 'wrong' }), false)
  assert.equal(await auth.accepts({ user: 'admin', password: 'wrong' }), false)
  assert.equal(store.checks(), 3)
  assert.equal(await auth.accepts(undefined), false)
  store.change('second')
  assert.equal(await auth.accepts({ user: 'admin', password: 'first' }), false)
  assert.equal(await auth.accepts({ user: 'admin', password: 'second' }), true)
  assert.equal(store.checks(), 5)
})

void test('password checks run one at a time', async () => {
  let running = 0
  let most = 0
  const auth = new AdminAuthenticator({
    verifyAdmin: async () => {
      running++
      most = Math.max(most, running)
      await new Promise((resolve) => setImmediate(resolve))
      running--
      return false
    },
    credentialVersion: () => 'v',
  })
  const answers = await Promise.all(Array.from({ length: 5 }, (_, i) => auth.accepts({ user: 'admin', password: `guess ${i}` })))
  assert.deepEqual(answers, [false, false, false, false, false])
  assert.equal(most, 1)
})
