/**
 * Where the configuration lives (the embedded store; a file; memory in tests). Changes reach
 * the core as a ConfigChanged input carrying the new compiled configuration.
 */
import type { TaskEither } from 'fp-ts/lib/TaskEither.js'
import type { NodeConfig } from '../config/model.js'

export type DirectoryError =
  | { readonly _tag: 'DirectoryUnavailable'; readonly reason: string }
  | { readonly _tag: 'ConfigRejected'; readonly problems: ReadonlyArray<{ readonly path: string; readonly message: string }> }

export interface Directory {
  readonly load: () => TaskEither<DirectoryError, NodeConfig>
  readonly save: (config: NodeConfig) => TaskEither<DirectoryError, void>
  readonly onChange: (notify: (config: NodeConfig) => void) => void
}
