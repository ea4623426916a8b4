/** A minimal listener registry. A listener that throws does not stop the others: the error goes to `report`. */
export class Emitter {
  private readonly listeners = new Map<string, Set<(payload: any) => void>>();
  constructor(private readonly report: (error: unknown, event: string) => void) {}

  on(event: string, fn: (payload: any) => void): void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    set.add(fn);
  }

  off(event: string, fn: (payload: any) => void): void {
    this.listeners.get(event)?.delete(fn);
  }

  has(event: string): boolean {
    return (this.listeners.get(event)?.size ?? 0) > 0;
  }

  emit(event: string, payload: unknown): void {
    const set = this.listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        fn(payload);
      } catch (error) {
        this.report(error, event);
      }
    }
  }
}
