// Every module we own receives a Clock (architecture decision 6): 4-hour, 14-day and
// lockout behaviours are tested by moving time, never by sleeping.
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A clock that tests (and a server started with a test clock) move by hand. */
export class ManualClock implements Clock {
  #ms: number;
  constructor(start: Date = new Date()) {
    this.#ms = start.getTime();
  }
  now(): Date {
    return new Date(this.#ms);
  }
  advance(ms: number): void {
    this.#ms += ms;
  }
  set(to: Date): void {
    this.#ms = to.getTime();
  }
}

export const epochSeconds = (clock: Clock): number => Math.floor(clock.now().getTime() / 1000);
