/** A feature module: gets its dependencies through its constructor, owns its own lifecycle. */
export interface Module {
  readonly name: string;
  start(): Promise<void>;
  stop(): Promise<void>;
}
