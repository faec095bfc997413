import type { IncomingMessage, ServerResponse } from 'node:http';
import { authorizeApi, sendApiJson } from './api-common.js';
import type { EmulatorContext } from './context.js';
import type { EmulatedUser } from './types.js';

/** GET /api/v1/users/me (and /v1/users/me, which create-pipedrive-app calls; §8). */
export function handleUsersMe(ctx: EmulatorContext, req: IncomingMessage, res: ServerResponse) {
  ctx.stats.usersMe += 1;
  if (!authorizeApi(ctx, req, res)) return;
  sendApiJson(ctx, res, 200, { success: true, data: currentUser(ctx.config.user) });
}

/** The fields of Pipedrive's GetCurrentUserResponse; those not configurable are fixed, plausible values. */
function currentUser(user: EmulatedUser): Record<string, unknown> {
  return {
    id: user.id,
    name: user.name,
    default_currency: 'EUR',
    locale: 'en_US',
    lang: 1,
    email: user.email,
    phone: null,
    activated: true,
    last_login: '2025-01-01 09:00:00',
    created: '2024-01-01 09:00:00',
    modified: '2025-01-01 09:00:00',
    has_created_company: true,
    access: [{ app: 'sales', admin: true, permission_set_id: '00000000-0000-4000-8000-000000000001' }],
    active_flag: true,
    timezone_name: 'Europe/Tallinn',
    timezone_offset: '+02:00',
    role_id: 1,
    icon_url: null,
    is_you: true,
    is_admin: 1,
    language: { language_code: 'en', country_code: 'US' },
    company_id: user.company_id,
    company_name: user.company_name,
    company_domain: user.company_domain,
    company_country: 'EE',
    company_industry: null,
  };
}
