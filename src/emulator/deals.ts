import type { EmulatorConfig } from './config.js';

/**
 * The deal fields a client of the emulator can set or read; the rest of Pipedrive's are rendered
 * as fixed values by deal-shapes.ts.
 */
export interface Deal {
  id: number;
  title: string;
  value: number;
  currency: string;
  status: 'open' | 'won' | 'lost';
  stage_id: number;
  pipeline_id: number;
  custom_fields: Record<string, unknown>;
  /** Milliseconds; rendered per API version. */
  addTime: number;
  updateTime: number;
}

/** The fields a create or an update may change. */
export type DealChanges = Partial<Pick<Deal, 'title' | 'value' | 'currency' | 'status' | 'custom_fields'>>;

/** Same cap as the grant store, so a test looping on POST cannot exhaust memory. */
const MAX_DEALS = 10_000;

/** In-memory deals of one emulator, seeded with two so a fresh emulator already lists something. */
export class DealStore {
  private readonly deals = new Map<number, Deal>();
  private nextId = 1;

  constructor(private readonly config: EmulatorConfig) {
    this.create({ title: 'Emulated deal one' });
    this.create({ title: 'Emulated deal two' });
  }

  create(fields: DealChanges & { title: string }): Deal {
    const oldest = this.deals.keys().next();
    if (this.deals.size >= MAX_DEALS && !oldest.done) this.deals.delete(oldest.value);
    const now = this.config.now();
    const deal: Deal = {
      id: this.nextId++,
      value: 0,
      currency: 'EUR',
      status: 'open',
      stage_id: 1,
      pipeline_id: 1,
      custom_fields: {},
      ...fields,
      addTime: now,
      updateTime: now,
    };
    this.deals.set(deal.id, deal);
    return deal;
  }

  get(id: number): Deal | undefined {
    return this.deals.get(id);
  }

  /** The updated deal, or undefined for an unknown id. Custom fields are merged, not replaced. */
  update(id: number, changes: DealChanges): Deal | undefined {
    const deal = this.deals.get(id);
    if (!deal) return undefined;
    const { custom_fields, ...rest } = changes;
    Object.assign(deal, rest, { updateTime: this.config.now() });
    if (custom_fields) deal.custom_fields = { ...deal.custom_fields, ...custom_fields };
    return deal;
  }

  /** False for an unknown id. */
  delete(id: number): boolean {
    return this.deals.delete(id);
  }

  /** In id order; `start` counts from 0. */
  page(start: number, limit: number): { items: Deal[]; more: boolean } {
    const all = [...this.deals.values()];
    return { items: all.slice(start, start + limit), more: start + limit < all.length };
  }
}
