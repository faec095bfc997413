import type { EmulatorConfig } from './config.js';

/** The few deal fields a client of the emulator needs; the rest of Pipedrive's ~60 are left out. */
export interface Deal {
  id: number;
  title: string;
  value: number;
  currency: string;
  status: 'open';
  stage_id: number;
  pipeline_id: number;
  /** Milliseconds; rendered per API version. */
  addTime: number;
}

/** Same cap as the grant store, so a test looping on POST cannot exhaust memory. */
const MAX_DEALS = 10_000;

/** In-memory deals, seeded with two so a fresh emulator already lists something. */
export class DealStore {
  private readonly deals = new Map<number, Deal>();
  private nextId = 1;

  constructor(private readonly config: EmulatorConfig) {
    this.create('Emulated deal one');
    this.create('Emulated deal two');
  }

  create(title: string): Deal {
    const oldest = this.deals.keys().next();
    if (this.deals.size >= MAX_DEALS && !oldest.done) this.deals.delete(oldest.value);
    const deal: Deal = {
      id: this.nextId++,
      title,
      value: 0,
      currency: 'EUR',
      status: 'open',
      stage_id: 1,
      pipeline_id: 1,
      addTime: this.config.now(),
    };
    this.deals.set(deal.id, deal);
    return deal;
  }

  get(id: number): Deal | undefined {
    return this.deals.get(id);
  }

  /** In id order; `start` counts from 0. */
  page(start: number, limit: number): { items: Deal[]; more: boolean } {
    const all = [...this.deals.values()];
    return { items: all.slice(start, start + limit), more: start + limit < all.length };
  }
}

/** v1 shape: `user_id` for the owner and "YYYY-MM-DD HH:MM:SS" UTC times. */
export function dealV1(deal: Deal, ownerId: number): Record<string, unknown> {
  const time = new Date(deal.addTime).toISOString().slice(0, 19).replace('T', ' ');
  const { addTime: _, ...fields } = deal;
  return { ...fields, user_id: ownerId, add_time: time, update_time: time };
}

/** v2 shape: `owner_id` and RFC 3339 times. */
export function dealV2(deal: Deal, ownerId: number): Record<string, unknown> {
  const time = `${new Date(deal.addTime).toISOString().slice(0, 19)}Z`;
  const { addTime: _, ...fields } = deal;
  return { ...fields, owner_id: ownerId, add_time: time, update_time: time };
}
