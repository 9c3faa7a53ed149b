/** Feature tables of `field | value` rows, typed as the configuration file wants them. */
import type { DataTable } from '@cucumber/cucumber'
import { fieldValue } from './configuration-file.js'

export const fieldsOf = (table: DataTable): Record<string, unknown> =>
  Object.fromEntries(table.raw().map(([field = '', value = '']) => [field, fieldValue(field, value)]))

/**
 * A VMR's own picture: the configuration names an uploaded image by its content hash. The
 * hash here is made from the room's name, so two rooms' pictures differ.
 */
export const pictureHash = (room: string): Record<string, unknown> => ({
  avatar: [...room].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7).toString(16).padStart(8, '0'),
})
