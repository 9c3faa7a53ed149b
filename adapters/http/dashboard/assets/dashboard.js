/* global document, window, fetch, EventSource, FormData */
/*
 * The Parley dashboard's script (served by adapters/http/dashboard/dashboard-routes.ts): live
 * conferences from the server-sent events of /dashboard/events, and the configuration read and
 * written through the management API (/api/admin/configuration/v1/). Everything is drawn with
 * textContent, never parsed as markup, so names from the configuration or from callers cannot
 * inject any. The browser's Basic credentials for this origin go with every request.
 */
'use strict'

const api = '/api/admin/configuration/v1/'
const config = { conference: [], conference_alias: [], automatic_participant: [], gateway_routing_rule: [] }
let lastRevision = -1

const el = (tag, attributes, ...children) => {
  const node = document.createElement(tag)
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue
    if (name === 'text') node.textContent = String(value)
    else node.setAttribute(name, value === true ? '' : String(value))
  }
  for (const child of children) node.append(child)
  return node
}

const announce = (text) => {
  document.getElementById('announce').textContent = text
}

const clock = (iso) => (iso ? new Date(iso).toLocaleTimeString() : '')

const stateOf = (p) => {
  if (p.is_entering_pin) return { text: 'Entering PIN', css: 'state-pin' }
  if (p.is_waiting_for_host) return { text: 'Waiting for the host', css: 'state-waiting' }
  if (p.is_presenting) return { text: 'Presenting', css: 'state-presenting' }
  return { text: 'In the meeting', css: 'state-joined' }
}

const roleName = (role) => (role === 'chair' ? 'Host' : role === 'guest' ? 'Guest' : '')

const replaceRows = (tbody, rows) => {
  tbody.replaceChildren(...rows)
}

// ---- live view ---------------------------------------------------------------------------------

const drawTotals = (snapshot) => {
  const totals = [
    ['Conferences', snapshot.totals.conferences],
    ['Participants', snapshot.totals.participants],
    ['Call legs', snapshot.totals.legs],
    ['Gateway calls', snapshot.totals.gateway_calls],
    ['Presence subscriptions', snapshot.totals.presence_subscriptions],
  ]
  document.getElementById('totals').replaceChildren(...totals.map(([name, value]) => el('div', {}, el('dt', { text: name }), el('dd', { text: value }))))
}

const participantRow = (p) => {
  const state = stateOf(p)
  return el(
    'tr',
    { 'data-leg': p.id, class: state.css },
    el('td', { text: p.display_name || p.source_alias }),
    el('td', { text: roleName(p.role) }),
    el('td', { text: p.protocol }),
    el('td', { text: p.call_type }),
    el('td', { text: state.text }),
    el('td', { text: clock(p.connect_time) }),
    el('td', { text: p.media_view || '' }),
    el('td', { text: p.media_sound || '' }),
  )
}

const drawConferences = (snapshot) => {
  const holder = document.getElementById('conferences')
  const sections = snapshot.conferences.map((c) => {
    const people = snapshot.participants.filter((p) => p.conference_id === c.id)
    const heading = `${c.name}`
    const summary = `${c.participant_count} in the room, ${c.waiting_for_host_count} waiting for the host, ${c.entering_pin_count} entering a PIN, ${c.presence_watchers} presence watchers${c.presenter ? `, ${c.presenter} presenting` : ''}`
    const headingId = `conference-${c.id}`
    return el(
      'section',
      { 'aria-labelledby': headingId, 'data-conference': c.id },
      el('h3', { id: headingId, text: heading }),
      el(
        'table',
        {},
        el('caption', { text: summary }),
        el(
          'thead',
          {},
          el('tr', {}, ...['Name', 'Role', 'Protocol', 'Call type', 'State', 'Connected', 'Screen', 'Sound'].map((h) => el('th', { scope: 'col', text: h }))),
        ),
        el('tbody', {}, ...people.map(participantRow)),
      ),
    )
  })
  holder.replaceChildren(...sections)
  document.getElementById('no-conferences').hidden = snapshot.conferences.length > 0
  document.getElementById('truncated').hidden = !snapshot.truncated
}

const drawGatewayCalls = (snapshot) => {
  replaceRows(
    document.querySelector('#gateway-calls tbody'),
    snapshot.gateway_calls.map((p) =>
      el(
        'tr',
        { 'data-leg': p.id },
        el('td', { text: p.conference }),
        el('td', { text: p.call_direction === 'in' ? 'Caller' : 'Called' }),
        el('td', { text: p.display_name }),
        el('td', { text: p.call_direction === 'in' ? p.source_alias : p.source_alias }),
        el('td', { text: p.protocol }),
        el('td', { text: clock(p.connect_time) }),
      ),
    ),
  )
}

const deleteButton = (resource, id, label) => {
  const button = el('button', { type: 'button', 'aria-label': `Delete ${label}`, text: 'Delete' })
  button.addEventListener('click', async () => {
    const response = await fetch(`${api}${resource}/${id}/`, { method: 'DELETE' })
    if (response.ok) {
      announce(`Deleted ${label}`)
      await loadConfiguration()
    } else announce(`Could not delete ${label}: ${response.status}`)
  })
  return button
}

const drawVmrs = (snapshot) => {
  replaceRows(
    document.querySelector('#vmrs tbody'),
    snapshot.vmrs.map((v) =>
      el(
        'tr',
        { 'data-vmr': v.id },
        el('td', { text: v.name }),
        el('td', { text: v.aliases.join(', ') }),
        el('td', { class: 'number', text: v.presence_watchers }),
        el('td', { class: 'number', text: v.participant_count }),
        el('td', {}, deleteButton('conference', v.id, v.name)),
      ),
    ),
  )
}

const draw = (snapshot) => {
  drawTotals(snapshot)
  drawConferences(snapshot)
  drawGatewayCalls(snapshot)
  drawVmrs(snapshot)
  if (snapshot.config_revision !== lastRevision) {
    lastRevision = snapshot.config_revision
    void loadConfiguration()
  }
}

const connect = () => {
  const status = document.getElementById('connection')
  const events = new EventSource('/dashboard/events')
  events.addEventListener('open', () => {
    status.textContent = 'Live'
  })
  events.addEventListener('error', () => {
    status.textContent = 'Reconnecting…'
  })
  events.addEventListener('snapshot', (event) => {
    const snapshot = JSON.parse(event.data)
    status.textContent = snapshot.running ? `Live, as of ${clock(snapshot.at)}` : 'The node is not running calls yet'
    draw(snapshot)
  })
}

// ---- configuration -------------------------------------------------------------------------------

const idOfUri = (uri) => (typeof uri === 'string' ? uri.replace(/\/$/, '').split('/').pop() : '')
const conferenceName = (uri) => (config.conference.find((c) => c.resource_uri === uri) || { name: idOfUri(uri) }).name

const drawConfiguration = () => {
  for (const select of document.querySelectorAll('select.conference-choice')) {
    const chosen = select.value
    select.replaceChildren(...config.conference.map((c) => el('option', { value: c.resource_uri, text: c.name, selected: c.resource_uri === chosen })))
  }
  replaceRows(
    document.querySelector('#aliases tbody'),
    config.conference_alias.map((a) => el('tr', {}, el('td', { text: a.alias }), el('td', { text: conferenceName(a.conference) }), el('td', {}, deleteButton('conference_alias', a.id, a.alias)))),
  )
  replaceRows(
    document.querySelector('#adps tbody'),
    config.automatic_participant.map((a) =>
      el(
        'tr',
        {},
        el('td', { text: a.alias }),
        el('td', { text: a.conference.map(conferenceName).join(', ') }),
        el('td', { text: a.protocol }),
        el('td', { text: roleName(a.role) }),
        el('td', {}, deleteButton('automatic_participant', a.id, a.alias)),
      ),
    ),
  )
  replaceRows(
    document.querySelector('#rules tbody'),
    config.gateway_routing_rule.map((r) =>
      el(
        'tr',
        {},
        el('td', { class: 'number', text: r.priority }),
        el('td', { text: r.name }),
        el('td', { text: r.match_string }),
        el('td', { text: r.replace_string }),
        el('td', { text: r.outgoing_protocol }),
        el('td', {}, deleteButton('gateway_routing_rule', r.id, r.name)),
      ),
    ),
  )
}

async function loadConfiguration() {
  const lists = await Promise.all(Object.keys(config).map((resource) => fetch(`${api}${resource}/?limit=0`).then((r) => (r.ok ? r.json() : { objects: [] }))))
  Object.keys(config).forEach((resource, i) => {
    config[resource] = lists[i].objects
  })
  drawConfiguration()
}

const lines = (text) =>
  text
    .split(/[\n,]/)
    .map((s) => s.trim())
    .filter((s) => s !== '')

/** The request body each form sends, in the API's own field names. */
const bodies = {
  conference: (form) => ({
    name: form.get('name'),
    aliases: lines(form.get('aliases') || '').map((alias) => ({ alias })),
    pin: form.get('pin') || '',
    guest_pin: form.get('guest_pin') || '',
    allow_guests: form.get('allow_guests') === 'on',
  }),
  conference_alias: (form) => ({ alias: form.get('alias'), conference: form.get('conference') }),
  automatic_participant: (form) => ({
    alias: form.get('alias'),
    conference: [form.get('conference')],
    protocol: form.get('protocol'),
    role: form.get('role'),
    call_type: form.get('call_type'),
  }),
  gateway_routing_rule: (form) => ({
    name: form.get('name'),
    priority: Number(form.get('priority')),
    match_string: form.get('match_string'),
    replace_string: form.get('replace_string') || '',
    outgoing_protocol: form.get('outgoing_protocol'),
    call_type: form.get('call_type'),
  }),
}

const showErrors = (form, resource, body) => {
  const holder = form.querySelector('.errors')
  const fields = (body && body[resource]) || { __all__: [body && body.error ? body.error : 'The request failed'] }
  holder.replaceChildren(
    el('ul', {}, ...Object.entries(fields).flatMap(([field, messages]) => messages.map((m) => el('li', { text: field === '__all__' ? m : `${field}: ${m}` })))),
  )
}

const wireForm = (form) => {
  const resource = form.dataset.resource
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const holder = form.querySelector('.errors')
    holder.replaceChildren()
    const response = await fetch(`${api}${resource}/`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(bodies[resource](new FormData(form))),
    })
    const body = await response.json().catch(() => undefined)
    if (response.status === 201) {
      form.reset()
      announce(`Created ${body.name || body.alias || resource}`)
      await loadConfiguration()
    } else showErrors(form, resource, body)
  })
}

window.addEventListener('DOMContentLoaded', () => {
  for (const form of document.querySelectorAll('form[data-resource]')) wireForm(form)
  void loadConfiguration()
  connect()
})
