import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { STAGE_TRANSITIONS } from '@dishpatch/orders-core/kitchen-clock';
import { ACTIVE_STATUSES, NEXT_STAGE, ORDER_STATUSES, TRANSITIONS, allowedTargets, cancellableStatuses, isFinal } from '@dishpatch/orders-core/orders';
import { createOrdersTestDatabase, type OrdersTestDatabase } from '@dishpatch/orders-core/testing';

describe('the order status machine', () => {
  it('derives every rule from the one transition table', () => {
    assert.deepEqual(Object.keys(TRANSITIONS), [...ORDER_STATUSES]);
    assert.deepEqual(
      Object.fromEntries(ORDER_STATUSES.map((status) => [status, allowedTargets(status)])),
      { WAITING: ['IN_PROGRESS', 'CANCELLED'], IN_PROGRESS: ['DONE', 'CANCELLED'], DONE: [], CANCELLED: [] },
    );
    assert.deepEqual(NEXT_STAGE, { WAITING: 'IN_PROGRESS', IN_PROGRESS: 'DONE' });
    assert.deepEqual(STAGE_TRANSITIONS, [{ from: 'WAITING', to: 'IN_PROGRESS' }, { from: 'IN_PROGRESS', to: 'DONE' }]);
    assert.deepEqual(ACTIVE_STATUSES, ['WAITING', 'IN_PROGRESS']);
    assert.deepEqual(ORDER_STATUSES.filter(isFinal), ['DONE', 'CANCELLED']);
    assert.deepEqual(cancellableStatuses(false), ['WAITING']);
    assert.deepEqual(cancellableStatuses(true), ['WAITING', 'IN_PROGRESS']);
  });

  describe('and the schema', () => {
    let db: OrdersTestDatabase;
    before(async () => {
      db = await createOrdersTestDatabase('orders_status_machine');
    });
    after(async () => {
      await db.drop();
    });

    // The tick's WHERE must name exactly the partial index's statuses, or the planner ignores the index.
    it('the partial index the tick relies on covers exactly the statuses the tick moves out of', async () => {
      const [row] = (await db.dataSource.query(`SELECT indexdef FROM pg_indexes WHERE indexname = 'orders_in_kitchen_idx'`)) as Array<{ indexdef: string }>;
      const indexed = [...(/WHERE \((.*)\)$/.exec(row!.indexdef)?.[1] ?? '').matchAll(/'([A-Z_]+)'/g)].map(([, status]) => status);
      assert.deepEqual(indexed, STAGE_TRANSITIONS.map(({ from }) => from));
    });
  });
});
