/**
 * Who uses which pin. Each part claims its pins; a second claim on a pin is a wiring mistake,
 * except that 1-Wire parts share their bus pin and I2C parts share the bus's SDA and SCL.
 */
import type { Problem } from './problems.js';
import type { PinProfile } from './types.js';

export type Sharing = 'onewire' | 'i2c' | 'none';

interface Claim {
  /** `sensors[2] (door, button)` */
  owner: string;
  sharing: Sharing;
}

export class PinClaims {
  private readonly claims = new Map<PinProfile, Claim>();

  constructor(private readonly problems: Problem[]) {}

  /** Claims `pin` for `owner`; records a problem at `path` when someone else holds it. */
  claim(
    pin: PinProfile,
    owner: string,
    sharing: Sharing,
    path: string,
    what = `pin ${pin.name}`,
  ): void {
    const held = this.claims.get(pin);
    if (!held) {
      this.claims.set(pin, { owner, sharing });
      return;
    }
    if (sharing !== 'none' && held.sharing === sharing) return;
    this.problems.push({ path, message: `${what} is already used by ${held.owner}` });
  }
}
