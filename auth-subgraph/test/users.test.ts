import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { randomUUID } from 'node:crypto';
import { AuthHarness, ME, REFRESH, errorOf, type AuthPayload } from './harness.js';

const USER = `query($id: ID!) { user(id: $id) { id username email role createdAt } }`;
const USERS = `query($role: Role, $first: Int, $after: String) {
  users(role: $role, first: $first, after: $after) {
    edges { cursor node { id username email role } } pageInfo { hasNextPage endCursor } totalCount
  }
}`;
const PROMOTE = `mutation($userId: ID!) { promoteToManager(userId: $userId) { id role } }`;
const SET_ROLE = `mutation($userId: ID!, $role: Role!) { setUserRole(userId: $userId, role: $role) { id role email } }`;
const ENTITIES = `query($representations: [_Any!]!) { _entities(representations: $representations) { ... on User { id username email role } } }`;

interface UsersPage {
  users: {
    edges: Array<{ cursor: string; node: { id: string; username: string; email: string | null; role: string } }>;
    pageInfo: { hasNextPage: boolean; endCursor: string | null };
    totalCount: number;
  };
}

describe('users, roles and the User entity', () => {
  const auth = new AuthHarness();
  let manager: AuthPayload;
  let customer: AuthPayload;

  /** A user made MANAGER directly in the database, as create-manager does, then signed in again. */
  async function newManager(username: string): Promise<AuthPayload> {
    const registered = await auth.register(username);
    await auth.app.dataSource.query(`UPDATE users SET role = 'MANAGER' WHERE id = $1`, [registered.user.id]);
    return (await auth.ok<{ refreshSession: AuthPayload }>(REFRESH, { refreshToken: registered.refreshToken })).refreshSession;
  }

  before(async () => {
    await auth.start({ label: 'users' });
    manager = await newManager('boss');
    customer = await auth.register('customer');
  });
  after(() => auth.stop());

  it('me is null without a token or with a bad one, and the user with a good one', async () => {
    assert.deepEqual(await auth.ok(ME), { me: null });
    assert.equal(errorOf(await auth.graphql(ME, {}, { token: 'a.b.c' })).extensions.code, 'UNAUTHENTICATED', 'a bad token is not anonymous');
    const me = (await auth.ok<{ me: { id: string; email: string; role: string } }>(ME, {}, { token: customer.accessToken })).me;
    assert.deepEqual([me.id, me.email, me.role], [customer.user.id, 'customer@example.com', 'CUSTOMER']);
  });

  it('user(id) is for managers: UNAUTHENTICATED without a token, FORBIDDEN for a customer', async () => {
    assert.equal(errorOf(await auth.graphql(USER, { id: customer.user.id })).extensions.code, 'UNAUTHENTICATED');
    assert.equal(errorOf(await auth.graphql(USER, { id: customer.user.id }, { token: customer.accessToken })).extensions.code, 'FORBIDDEN');
    const found = await auth.ok<{ user: { id: string; email: string } }>(USER, { id: customer.user.id }, { token: manager.accessToken });
    assert.equal(found.user.email, 'customer@example.com', 'managers see emails');
    assert.deepEqual(await auth.ok(USER, { id: randomUUID() }, { token: manager.accessToken }), { user: null });
    const malformed = errorOf(await auth.graphql(USER, { id: 'nope' }, { token: manager.accessToken }));
    assert.equal(malformed.extensions.code, 'BAD_USER_INPUT');
    assert.equal(malformed.extensions['field'], 'id');
  });

  it('resolves a batch of references in one query, in key order, null for unknown ids, email only for self or managers', async () => {
    const others = [await auth.register('ref-a'), await auth.register('ref-b'), await auth.register('ref-c')];
    const ids = [others[2]!.user.id, randomUUID(), others[0]!.user.id, 'not-a-uuid', others[1]!.user.id, customer.user.id];
    const { dataSource } = auth.app;
    const original = dataSource.query.bind(dataSource);
    const statements: string[] = [];
    dataSource.query = ((query: string, parameters?: unknown[]) => {
      statements.push(query);
      return original(query, parameters);
    }) as typeof dataSource.query;
    let result;
    try {
      result = await auth.ok<{ _entities: Array<{ id: string; email: string | null } | null> }>(
        ENTITIES,
        { representations: ids.map((id) => ({ __typename: 'User', id })) },
        { token: customer.accessToken },
      );
    } finally {
      dataSource.query = original;
    }
    assert.equal(statements.filter((statement) => /FROM users/.test(statement)).length, 1, statements.join('\n'));
    assert.deepEqual(
      result._entities.map((user) => user?.id ?? null),
      [others[2]!.user.id, null, others[0]!.user.id, null, others[1]!.user.id, customer.user.id],
    );
    assert.deepEqual(
      result._entities.map((user) => user?.email ?? null),
      [null, null, null, null, null, 'customer@example.com'],
      'a customer sees only their own email',
    );
    const asManager = await auth.ok<{ _entities: Array<{ email: string | null } | null> }>(
      ENTITIES,
      { representations: [{ __typename: 'User', id: others[0]!.user.id }] },
      { token: manager.accessToken },
    );
    assert.equal(asManager._entities[0]?.email, 'ref-a@example.com');
  });

  it('users lists newest first in pages with opaque cursors, counts the total and filters by role', async () => {
    const created: string[] = [];
    for (let index = 0; index < 5; index++) created.push((await auth.register(`page${index}`)).user.id);
    const [{ n: total }] = await auth.app.dataSource.query(`SELECT count(*)::int AS n FROM users`);
    const seen: string[] = [];
    let after: string | null = null;
    let pages = 0;
    do {
      const page: UsersPage = await auth.ok<UsersPage>(USERS, { first: 2, after }, { token: manager.accessToken });
      assert.equal(page.users.totalCount, total);
      assert.ok(page.users.edges.length <= 2);
      for (const edge of page.users.edges) {
        assert.doesNotMatch(edge.cursor, /[0-9a-f]{8}-/, 'cursors are opaque');
        assert.ok(edge.node.email, 'managers see emails');
        seen.push(edge.node.id);
      }
      after = page.users.pageInfo.hasNextPage ? page.users.pageInfo.endCursor : null;
      pages++;
    } while (after);
    assert.equal(seen.length, total, 'every user exactly once');
    assert.equal(new Set(seen).size, total);
    assert.equal(pages, Math.ceil(total / 2));
    assert.deepEqual(seen.slice(0, 5), [...created].reverse(), 'newest first');

    const managers = await auth.ok<UsersPage>(USERS, { role: 'MANAGER' }, { token: manager.accessToken });
    assert.ok(managers.users.edges.every((edge) => edge.node.role === 'MANAGER'));
    assert.equal(managers.users.totalCount, managers.users.edges.length);
    assert.ok(managers.users.edges.some((edge) => edge.node.id === manager.user.id));
  });

  it('users refuses first outside 1-100, a forged cursor, and callers who are not managers', async () => {
    for (const first of [0, 101, -1]) {
      const error = errorOf(await auth.graphql(USERS, { first }, { token: manager.accessToken }));
      assert.equal(error.extensions.code, 'BAD_USER_INPUT');
      assert.equal(error.extensions['field'], 'first');
    }
    for (const after of ['garbage', Buffer.from(`user:${randomUUID()}`).toString('base64url')]) {
      const error = errorOf(await auth.graphql(USERS, { after }, { token: manager.accessToken }));
      assert.equal(error.extensions.code, 'BAD_USER_INPUT');
      assert.equal(error.extensions['field'], 'after');
    }
    assert.equal(errorOf(await auth.graphql(USERS, {})).extensions.code, 'UNAUTHENTICATED');
    assert.equal(errorOf(await auth.graphql(USERS, {}, { token: customer.accessToken })).extensions.code, 'FORBIDDEN');
  });

  it('promoteToManager: managers only; shows in the next token; NOT_FOUND and BAD_USER_INPUT for bad ids', async () => {
    const hopeful = await auth.register('hopeful');
    assert.equal(errorOf(await auth.graphql(PROMOTE, { userId: hopeful.user.id })).extensions.code, 'UNAUTHENTICATED');
    assert.equal(errorOf(await auth.graphql(PROMOTE, { userId: hopeful.user.id }, { token: hopeful.accessToken })).extensions.code, 'FORBIDDEN');
    const promoted = await auth.ok<{ promoteToManager: { role: string } }>(PROMOTE, { userId: hopeful.user.id }, { token: manager.accessToken });
    assert.equal(promoted.promoteToManager.role, 'MANAGER');
    const next = (await auth.ok<{ refreshSession: AuthPayload }>(REFRESH, { refreshToken: hopeful.refreshToken })).refreshSession;
    assert.equal(next.user.role, 'MANAGER');
    assert.equal((await auth.graphql(USERS, {}, { token: next.accessToken })).errors, undefined, 'the new token works as MANAGER');

    const missing = errorOf(await auth.graphql(PROMOTE, { userId: randomUUID() }, { token: manager.accessToken }));
    assert.equal(missing.extensions.code, 'NOT_FOUND');
    const malformed = errorOf(await auth.graphql(PROMOTE, { userId: '42' }, { token: manager.accessToken }));
    assert.equal(malformed.extensions.code, 'BAD_USER_INPUT');
    assert.equal(malformed.extensions['field'], 'userId');
  });

  it('setUserRole: managers set any role; a token older than a demotion no longer works for it', async () => {
    const cook = await auth.register('cook');
    assert.equal(errorOf(await auth.graphql(SET_ROLE, { userId: cook.user.id, role: 'CHEF' }, { token: customer.accessToken })).extensions.code, 'FORBIDDEN');
    const changed = await auth.ok<{ setUserRole: { role: string; email: string } }>(SET_ROLE, { userId: cook.user.id, role: 'CHEF' }, { token: manager.accessToken });
    assert.equal(changed.setUserRole.role, 'CHEF');
    assert.equal(changed.setUserRole.email, 'cook@example.com');

    const deputy = await newManager('deputy');
    await auth.ok(SET_ROLE, { userId: deputy.user.id, role: 'CUSTOMER' }, { token: manager.accessToken });
    const stale = errorOf(await auth.graphql(SET_ROLE, { userId: cook.user.id, role: 'MANAGER' }, { token: deputy.accessToken }));
    // The demotion cuts the old MANAGER token off within a second (UNAUTHENTICATED); until the
    // cut-off arrives, the database still decides (FORBIDDEN). Either way nothing changes.
    assert.ok(['UNAUTHENTICATED', 'FORBIDDEN'].includes(stale.extensions.code), stale.extensions.code);
    const [{ role }] = await auth.app.dataSource.query(`SELECT role FROM users WHERE id = $1`, [cook.user.id]);
    assert.equal(role, 'CHEF');

    const badRole = await auth.graphql(SET_ROLE, { userId: cook.user.id, role: 'ADMIN' }, { token: manager.accessToken });
    assert.ok(badRole.errors?.[0]);
  });

  it('the last manager cannot demote themself; with two managers one can', async () => {
    const solo = new AuthHarness();
    await solo.start({ label: 'last_manager' });
    try {
      const only = await solo.register('only');
      await solo.app.dataSource.query(`UPDATE users SET role = 'MANAGER' WHERE id = $1`, [only.user.id]);
      const token = (await solo.ok<{ refreshSession: AuthPayload }>(REFRESH, { refreshToken: only.refreshToken })).refreshSession.accessToken;
      const refused = errorOf(await solo.graphql(SET_ROLE, { userId: only.user.id, role: 'CHEF' }, { token }));
      assert.equal(refused.extensions.code, 'FORBIDDEN');
      assert.match(refused.message, /last manager/);
      assert.deepEqual(await solo.app.dataSource.query(`SELECT role FROM users WHERE id = $1`, [only.user.id]), [{ role: 'MANAGER' }]);
      const promoteSelf = await solo.ok<{ promoteToManager: { role: string } }>(PROMOTE, { userId: only.user.id }, { token });
      assert.equal(promoteSelf.promoteToManager.role, 'MANAGER', 'a no-op is fine');
    } finally {
      await solo.stop();
    }
  });

  it('two managers demoting themselves at once leave at least one manager', async () => {
    const duo = new AuthHarness();
    await duo.start({ label: 'demote_race' });
    try {
      let kept = 0;
      const rounds = 10;
      for (let round = 0; round < rounds; round++) {
        const pair = await Promise.all([duo.register(`m${round}a`), duo.register(`m${round}b`)]);
        await duo.app.dataSource.query(`UPDATE users SET role = CASE WHEN id = ANY($1::uuid[]) THEN 'MANAGER' ELSE 'CUSTOMER' END`, [
          pair.map((user) => user.user.id),
        ]);
        const tokens = await Promise.all(
          pair.map(async (user) => (await duo.ok<{ refreshSession: AuthPayload }>(REFRESH, { refreshToken: user.refreshToken })).refreshSession),
        );
        const results = await Promise.all(
          tokens.map((user) => duo.graphql(SET_ROLE, { userId: user.user.id, role: 'CUSTOMER' }, { token: user.accessToken })),
        );
        assert.equal(results.filter((result) => !result.errors).length, 1, `round ${round}: exactly one demotion goes through`);
        const refused = results.find((result) => result.errors)!;
        assert.equal(errorOf(refused).extensions.code, 'FORBIDDEN');
        const [{ n }] = await duo.app.dataSource.query(`SELECT count(*)::int AS n FROM users WHERE role = 'MANAGER'`);
        assert.equal(n, 1);
        kept += n;
      }
      console.log(`# race: 2 managers demoting themselves at once, ${rounds} rounds -> ${kept / rounds} manager left each round`);
    } finally {
      await duo.stop();
    }
  });
});
