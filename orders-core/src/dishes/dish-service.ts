import { preparedStatement } from '@dishpatch/shared/database';
import { NotFoundError } from '@dishpatch/shared/errors';
import type { Viewer } from '@dishpatch/shared/tokens';
import { IsNull, MoreThan, type DataSource, type FindOptionsWhere } from 'typeorm';
import { DishEntity, selectColumns, type Dish } from '../entities/index.js';
import { requireUuid } from '@dishpatch/shared/ids';
import { validateCreateDishInput, validateUpdateDishInput, type CreateDishArguments, type UpdateDishArguments } from './dish-input.js';

// A DataLoader batch, run on every request that shows order items: plain SQL into plain rows, prepared once per connection.
const DISHES_BY_IDS = preparedStatement(`SELECT ${selectColumns(DishEntity, 'd')} FROM dishes d WHERE d.id = ANY($1::uuid[])`);

/**
 * Dishes: the menu and the manager's catalogue. A deleted dish (deleted_at set) is gone from
 * every listing and from ordering, but orders that contain it still load it by id.
 */
export class DishService {
  constructor(private readonly dataSource: DataSource) {}

  private get dishes() {
    return this.dataSource.getRepository(DishEntity);
  }

  /** What a customer can order now: available, not deleted, in stock. */
  async findMenu(): Promise<Dish[]> {
    return this.dishes.find({ where: { deletedAt: IsNull(), isAvailable: true, quantity: MoreThan(0) }, order: { name: 'ASC', id: 'ASC' } });
  }

  /** Every dish not deleted; unavailable ones only when asked (the resolver keeps that to managers). */
  async findAll(options: { includeUnavailable: boolean }): Promise<Dish[]> {
    const where: FindOptionsWhere<Dish> = options.includeUnavailable ? { deletedAt: IsNull() } : { deletedAt: IsNull(), isAvailable: true };
    return this.dishes.find({ where, order: { name: 'ASC', id: 'ASC' } });
  }

  /**
   * `dish(id)`: null when deleted, or when unavailable and the viewer is not a manager (who
   * alone sees unavailable dishes in listings). A sold-out dish is shown, with quantity 0.
   */
  async findOneVisible(viewer: Viewer | null, id: string): Promise<Dish | null> {
    const dish = await this.dishes.findOneBy({ id: requireUuid(id, 'id'), deletedAt: IsNull() });
    if (!dish || (!dish.isAvailable && viewer?.role !== 'MANAGER')) return null;
    return dish;
  }

  /** For DataLoaders (order items, entity references): deleted dishes included, results in key order. */
  async findByIds(ids: readonly string[]): Promise<Array<Dish | null>> {
    const found: Dish[] = await this.dataSource.query(DISHES_BY_IDS, [ids]);
    const byId = new Map(found.map((dish) => [dish.id, dish]));
    return ids.map((id) => byId.get(id) ?? null);
  }

  async create(input: CreateDishArguments): Promise<Dish> {
    const values = validateCreateDishInput(input);
    const inserted = await this.dishes.insert(values);
    return this.dishes.findOneByOrFail({ id: String(inserted.identifiers[0]!['id']) });
  }

  /** Changes only the given fields, in one conditional UPDATE (a deleted dish is NOT_FOUND). */
  async update(id: string, input: UpdateDishArguments): Promise<Dish> {
    const dishId = requireUuid(id, 'id');
    const changes = validateUpdateDishInput(input);
    if (Object.keys(changes).length > 0) {
      const result = await this.dishes.update({ id: dishId, deletedAt: IsNull() }, changes);
      if (result.affected === 0) throw notFound(dishId);
    }
    const dish = await this.dishes.findOneBy({ id: dishId, deletedAt: IsNull() });
    if (!dish) throw notFound(dishId);
    return dish;
  }

  /** Soft delete: the dish leaves the menu and ordering; deleting it again is NOT_FOUND. */
  async delete(id: string): Promise<true> {
    const dishId = requireUuid(id, 'id');
    const result = await this.dishes.update({ id: dishId, deletedAt: IsNull() }, { deletedAt: () => 'now()' });
    if (result.affected === 0) throw notFound(dishId);
    return true;
  }
}

function notFound(dishId: string): NotFoundError {
  return new NotFoundError(`No dish with id ${dishId}`);
}
