import { describe, expect, it } from 'vitest';
import type { Emulator } from '../../../src/emulator/server.js';
import { emulatorHarness, installApp } from '../../helpers/emulator-harness.js';

const h = emulatorHarness({ autoApprove: true });
type Json = Record<string, unknown>;

async function ready(): Promise<{
  emu: Emulator;
  call: (path: string, init?: RequestInit) => Promise<Reply>;
}> {
  const emu = await h.start();
  const { access_token } = await installApp(emu);
  const call = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    headers.set('Authorization', `Bearer ${access_token}`);
    const res = await fetch(`${emu.url}${path}`, { ...init, headers });
    return { status: res.status, headers: res.headers, body: (await res.json()) as Json };
  };
  return { emu, call };
}
interface Reply {
  status: number;
  headers: Headers;
  body: Json;
}

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { 'Content-Type': 'application/json' },
  body: JSON.stringify(body),
});
const v2Error = (error: string) => ({
  success: false,
  error,
  error_info: 'Please check developers.pipedrive.com for more information about Pipedrive API.',
  data: null,
  additional_data: null,
});

describe('v2 deals', () => {
  it('answers a deal with every field of the v2 Deal model', async () => {
    const { call } = await ready();
    const { status, body } = await call('/api/v2/deals/1');

    expect(status).toBe(200);
    expect(Object.keys(body.data as Json)).toEqual(
      'id title owner_id person_id org_id pipeline_id stage_id value currency add_time update_time stage_change_time is_deleted is_archived status probability lost_reason visible_to close_time won_time lost_time expected_close_date label_ids origin origin_id channel channel_id source_lead_id arr mrr acv custom_fields'.split(
        ' ',
      ),
    );
    expect(body.data).toMatchObject({
      id: 1,
      owner_id: 1001,
      add_time: '2023-11-14T22:13:20Z',
      custom_fields: {},
    });
  });

  it('creates a deal from JSON (title, value, currency, custom_fields), then lists it', async () => {
    const { call } = await ready();
    const created = await call(
      '/api/v2/deals',
      json('POST', { title: 'New', value: 5, currency: 'USD', custom_fields: { abc: 'x' } }),
    );

    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      success: true,
      data: { id: 3, title: 'New', value: 5, currency: 'USD', custom_fields: { abc: 'x' } },
    });
    const list = await call('/api/v2/deals');
    expect((list.body.data as Json[]).map((d) => d.id)).toEqual([1, 2, 3]);
  });

  it('refuses a create without a title, or with a bad field, with the v2 error shape', async () => {
    const { call } = await ready();

    expect(await call('/api/v2/deals', json('POST', { value: 5 }))).toMatchObject({
      status: 400,
      body: v2Error('title is required'),
    });
    expect((await call('/api/v2/deals', json('POST', { title: 'x', value: 'lots' }))).body).toEqual(
      v2Error('value must be a number'),
    );
    expect((await call('/api/v2/deals', { ...json('POST', {}), body: '{' })).body).toEqual(
      v2Error('Malformed JSON body'),
    );
  });

  it('PATCH changes only the given fields and moves update_time', async () => {
    const { call } = await ready();
    h.clock += 60_000;
    const { status, body } = await call(
      '/api/v2/deals/2',
      json('PATCH', { title: 'Renamed', status: 'won' }),
    );

    expect(status).toBe(200);
    expect(body.data).toMatchObject({
      id: 2,
      title: 'Renamed',
      status: 'won',
      value: 0,
      add_time: '2023-11-14T22:13:20Z',
      update_time: '2023-11-14T22:14:20Z',
    });
  });

  it('DELETE answers {success, data: {id}} and the deal is gone', async () => {
    const { call } = await ready();

    expect((await call('/api/v2/deals/1', { method: 'DELETE' })).body).toEqual({
      success: true,
      data: { id: 1 },
    });
    expect(await call('/api/v2/deals/1')).toMatchObject({ status: 404, body: v2Error('Deal not found') });
  });

  it('answers an unknown id with 404 for GET, PATCH and DELETE', async () => {
    const { call } = await ready();

    for (const init of [{}, json('PATCH', { title: 'x' }), { method: 'DELETE' }]) {
      expect(await call('/api/v2/deals/999', init)).toMatchObject({
        status: 404,
        body: v2Error('Deal not found'),
      });
    }
  });

  it('pages with limit and next_cursor until next_cursor is null', async () => {
    const { call } = await ready();
    for (const title of ['c', 'd', 'e']) await call('/api/v2/deals', json('POST', { title }));
    const ids: unknown[] = [];
    let cursor: unknown = '';
    for (let page = 0; cursor !== null && page < 10; page++) {
      const { body } = await call(`/api/v2/deals?limit=2${cursor ? `&cursor=${cursor}` : ''}`);
      ids.push(...(body.data as Json[]).map((d) => d.id));
      cursor = (body.additional_data as Json).next_cursor;
    }

    expect(ids).toEqual([1, 2, 3, 4, 5]);
    expect(cursor).toBeNull();
  });

  it.each(['0', '501', '2.5', 'x', ''])('refuses limit=%s with 400', async (limit) => {
    const { call } = await ready();

    expect(await call(`/api/v2/deals?limit=${limit}`)).toMatchObject({
      status: 400,
      body: v2Error('Invalid limit: an integer from 1 to 500'),
    });
  });

  it.each(['', 'bm9wZQ', '!!'])('refuses cursor=%s with 400', async (cursor) => {
    const { call } = await ready();

    expect(await call(`/api/v2/deals?cursor=${cursor}`)).toMatchObject({
      status: 400,
      body: v2Error('Invalid cursor'),
    });
  });

  it('puts the rate-limit headers on v2 answers, errors included', async () => {
    const { call } = await ready();
    const { headers } = await call('/api/v2/deals/999');

    expect(headers.get('x-ratelimit-limit')).toBe('80');
    expect(headers.get('x-ratelimit-remaining')).not.toBeNull();
    expect(headers.get('x-ratelimit-reset')).not.toBeNull();
  });

  it('keeps the deals of two emulators apart', async () => {
    const { call } = await ready();
    const first = h.emulator;
    await call('/api/v2/deals', json('POST', { title: 'only here' }));
    const other = await h.start();
    try {
      const { access_token } = await installApp(other);
      const res = await fetch(`${other.url}/api/v2/deals`, {
        headers: { Authorization: `Bearer ${access_token}` },
      });

      expect(((await res.json()) as { data: Json[] }).data).toHaveLength(2);
    } finally {
      await other.close();
      h.emulator = first;
    }
  });
});

describe('v1 deals, out of support', () => {
  it.each([
    ['/api/v1/deals', '</api/v2/deals>; rel="successor-version"'],
    ['/api/v1/deals/2', '</api/v2/deals/2>; rel="successor-version"'],
  ])('%s carries Deprecation, Sunset and a Link to v2', async (path, link) => {
    const { call } = await ready();
    const { headers } = await call(path);

    expect(headers.get('deprecation')).toBe('@1767225600');
    expect(headers.get('sunset')).toBe('Sat, 01 Aug 2026 00:00:00 GMT');
    expect(headers.get('link')).toBe(link);
  });

  it('users/me is not marked', async () => {
    const { call } = await ready();

    expect((await call('/api/v1/users/me')).headers.get('deprecation')).toBeNull();
  });
});
