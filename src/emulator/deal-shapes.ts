import type { Deal } from './deals.js';

/** Pipedrive's v1 "YYYY-MM-DD HH:MM:SS" UTC time. */
const v1Time = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
/** RFC 3339 in UTC, without milliseconds, as v2 answers. */
const v2Time = (ms: number) => `${new Date(ms).toISOString().slice(0, 19)}Z`;

/** v1 shape (a subset): `user_id` for the owner, v1 times. Custom fields are not rendered in v1. */
export function dealV1(deal: Deal, ownerId: number): Record<string, unknown> {
  return {
    id: deal.id,
    title: deal.title,
    value: deal.value,
    currency: deal.currency,
    status: deal.status,
    stage_id: deal.stage_id,
    pipeline_id: deal.pipeline_id,
    user_id: ownerId,
    add_time: v1Time(deal.addTime),
    update_time: v1Time(deal.updateTime),
  };
}

/**
 * v2 shape. Every field name and its order come from Pipedrive's generated v2 model, interface
 * `Deal` in github.com/pipedrive/client-nodejs src/versions/v2/models/deal.ts (commit 97e5382,
 * 2026-04-20). The values of the fields the emulator does not model (links, archive and close
 * state, origin) are the emulator's fixed guesses for a fresh open deal.
 */
export function dealV2(deal: Deal, ownerId: number): Record<string, unknown> {
  return {
    id: deal.id,
    title: deal.title,
    owner_id: ownerId,
    person_id: null,
    org_id: null,
    pipeline_id: deal.pipeline_id,
    stage_id: deal.stage_id,
    value: deal.value,
    currency: deal.currency,
    add_time: v2Time(deal.addTime),
    update_time: v2Time(deal.updateTime),
    stage_change_time: null,
    is_deleted: false,
    is_archived: false,
    status: deal.status,
    probability: null,
    lost_reason: null,
    visible_to: 3,
    close_time: null,
    won_time: null,
    lost_time: null,
    expected_close_date: null,
    label_ids: [],
    origin: 'API',
    origin_id: null,
    channel: null,
    channel_id: null,
    source_lead_id: null,
    arr: null,
    mrr: null,
    acv: null,
    custom_fields: { ...deal.custom_fields },
  };
}
